/* Small helpers of the fleet server: ids, random secrets, hashes, encodings,
 * time. Everything here is pure or uses libsodium's CSPRNG. */
#ifndef TOIT_SRV_UTIL_H
#define TOIT_SRV_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Must be called once before anything else (initializes libsodium). */
int srv_util_init(void);

/* Milliseconds since the Unix epoch (UTC), honouring the test clock offset. */
int64_t srv_now_ms(void);
void srv_clock_advance(int64_t ms);
/* Milliseconds of a monotonic clock (for durations; not the test clock). */
int64_t srv_mono_ms(void);

/* Writes a random UUIDv4 (36 chars + NUL) into out[37]. */
void srv_uuid(char out[37]);
bool srv_is_uuid(const char *s);

/* Lower-case hex of n bytes into out (2n+1 chars). */
void srv_hex(const uint8_t *in, size_t n, char *out);
/* Decodes exactly n bytes from 2n lower-case hex chars; false on anything else. */
bool srv_unhex(const char *in, uint8_t *out, size_t n);

/* SHA-256 of a string/bytes as 64 lower-case hex chars. */
void srv_sha256_hex(const void *data, size_t n, char out[65]);

/* n random chars of RFC 4648 base32, lower case (a-z2-7). */
void srv_random_base32(char *out, size_t n);
/* n random bytes as 2n hex chars. */
void srv_random_hex(char *out, size_t nbytes);

/* Orders firmware versions: an optional leading 'v', then segments split
 * by '.', numbers compared as numbers (missing ones count as 0) and other
 * segments as text, numbers before text; a pre-release (`-rc1`) comes
 * before its release; build metadata (`+...`) is ignored. <0, 0 or >0. */
int srv_version_cmp(const char *a, const char *b);

/* Constant-time comparison of two NUL-terminated strings of equal length. */
bool srv_streq_ct(const char *a, const char *b);

/* Formats ms as RFC 3339 UTC with milliseconds ("2026-01-01T09:14:02.123Z").
 * out must hold 32 bytes. */
void srv_time_fmt(int64_t ms, char out[32]);
/* Parses that format (the 'Z' form, optional fraction); false if malformed. */
bool srv_time_parse(const char *s, int64_t *ms);

/* Validates an email: 3..254 chars, one '@', no spaces or controls. Writes the
 * lower-cased form into out (255 bytes). */
bool srv_email_norm(const char *in, char out[255]);

/* True if s is valid UTF-8 without control characters and 1..max bytes. */
bool srv_text_ok(const char *s, size_t max);

#endif
