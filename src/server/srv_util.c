#include "srv_util.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static int64_t clock_offset_ms;

int srv_util_init(void) { return sodium_init() < 0 ? -1 : 0; }

int64_t srv_now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000 + __atomic_load_n(&clock_offset_ms, __ATOMIC_RELAXED);
}

void srv_clock_advance(int64_t ms) { __atomic_add_fetch(&clock_offset_ms, ms, __ATOMIC_RELAXED); }

int64_t srv_mono_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* One segment of a version: [*p, end of segment); moves *p past the dot. */
static int version_segment_cmp(const char **pa, const char *ea, const char **pb, const char *eb) {
  const char *a = *pa, *b = *pb;
  size_t la = strcspn(a, "."), lb = strcspn(b, ".");
  if (a + la > ea) la = (size_t)(ea - a);
  if (b + lb > eb) lb = (size_t)(eb - b);
  bool na = la > 0 && strspn(a, "0123456789") >= la, nb = lb > 0 && strspn(b, "0123456789") >= lb;
  int r;
  if (la == 0 && lb == 0) r = 0;
  else if (na && nb) {
    while (la > 1 && *a == '0') a++, la--; /* leading zeros */
    while (lb > 1 && *b == '0') b++, lb--;
    r = la != lb ? (la < lb ? -1 : 1) : memcmp(a, b, la);
  } else if (la == 0) r = nb && strspn(b, "0") >= lb ? 0 : -1; /* missing counts as 0 */
  else if (lb == 0) r = na && strspn(a, "0") >= la ? 0 : 1;
  else if (na != nb) r = na ? -1 : 1;                         /* numbers before text */
  else {
    r = memcmp(a, b, la < lb ? la : lb);
    if (r == 0 && la != lb) r = la < lb ? -1 : 1;
  }
  *pa = a + la + (a + la < ea && a[la] == '.');
  *pb = b + lb + (b + lb < eb && b[lb] == '.');
  return r < 0 ? -1 : r > 0;
}

/* Compares dotted [a, ea) and [b, eb). */
static int version_part_cmp(const char *a, const char *ea, const char *b, const char *eb) {
  while (a < ea || b < eb) {
    int r = version_segment_cmp(&a, ea, &b, eb);
    if (r) return r;
  }
  return 0;
}

int srv_version_cmp(const char *a, const char *b) {
  if (*a == 'v' || *a == 'V') a++;
  if (*b == 'v' || *b == 'V') b++;
  const char *ea = a + strcspn(a, "+"), *eb = b + strcspn(b, "+");
  const char *da = memchr(a, '-', (size_t)(ea - a)), *db = memchr(b, '-', (size_t)(eb - b));
  int r = version_part_cmp(a, da ? da : ea, b, db ? db : eb);
  if (r) return r;
  if (!da || !db) return da ? -1 : db ? 1 : 0; /* a pre-release comes first */
  return version_part_cmp(da + 1, ea, db + 1, eb);
}

void srv_hex(const uint8_t *in, size_t n, char *out) {
  static const char digits[] = "0123456789abcdef";
  for (size_t i = 0; i < n; i++) {
    out[2 * i] = digits[in[i] >> 4];
    out[2 * i + 1] = digits[in[i] & 15];
  }
  out[2 * n] = 0;
}

static int hexval(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

bool srv_unhex(const char *in, uint8_t *out, size_t n) {
  if (strlen(in) != 2 * n) return false;
  for (size_t i = 0; i < n; i++) {
    int h = hexval(in[2 * i]), l = hexval(in[2 * i + 1]);
    if (h < 0 || l < 0) return false;
    out[i] = (uint8_t)(h << 4 | l);
  }
  return true;
}

void srv_uuid(char out[37]) {
  uint8_t b[16];
  randombytes_buf(b, sizeof b);
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  char h[33];
  srv_hex(b, 16, h);
  snprintf(out, 37, "%.8s-%.4s-%.4s-%.4s-%.12s", h, h + 8, h + 12, h + 16, h + 20);
}

bool srv_is_uuid(const char *s) {
  if (!s || strlen(s) != 36) return false;
  for (int i = 0; i < 36; i++) {
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (s[i] != '-') return false;
    } else if (hexval(s[i]) < 0) {
      return false;
    }
  }
  return true;
}

void srv_sha256_hex(const void *data, size_t n, char out[65]) {
  uint8_t d[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(d, data, n);
  srv_hex(d, sizeof d, out);
}

void srv_random_base32(char *out, size_t n) {
  static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz234567";
  for (size_t i = 0; i < n; i++) out[i] = alphabet[randombytes_uniform(32)];
  out[n] = 0;
}

void srv_random_hex(char *out, size_t nbytes) {
  uint8_t b[64];
  while (nbytes > 0) {
    size_t k = nbytes < sizeof b ? nbytes : sizeof b;
    randombytes_buf(b, k);
    srv_hex(b, k, out);
    out += 2 * k;
    nbytes -= k;
  }
}

bool srv_streq_ct(const char *a, const char *b) {
  size_t n = strlen(a);
  if (n != strlen(b)) return false;
  return sodium_memcmp(a, b, n) == 0;
}

void srv_time_fmt(int64_t ms, char out[32]) {
  time_t s = (time_t)(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
  int frac = (int)(ms - (int64_t)s * 1000);
  struct tm tm;
  gmtime_r(&s, &tm);
  char buf[96];
  snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", (tm.tm_year + 1900) % 10000, tm.tm_mon + 1,
           tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, frac);
  memcpy(out, buf, 31);
  out[31] = 0;
}

bool srv_time_parse(const char *s, int64_t *ms) {
  int y, mo, d, h, mi, se, n = 0;
  if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &se, &n) != 6 || n != 19) return false;
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60 || y < 1970) return false;
  const char *p = s + n;
  int frac = 0;
  if (*p == '.') {
    p++;
    int digits = 0;
    while (*p >= '0' && *p <= '9') {
      if (digits < 3) frac = frac * 10 + (*p - '0');
      digits++;
      p++;
    }
    if (digits == 0) return false;
    while (digits++ < 3) frac *= 10;
  }
  if (strcmp(p, "Z") != 0) return false;
  struct tm tm = {.tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d, .tm_hour = h, .tm_min = mi, .tm_sec = se};
  *ms = (int64_t)timegm(&tm) * 1000 + frac;
  return true;
}

bool srv_email_norm(const char *in, char out[255]) {
  size_t n = strlen(in);
  if (n < 3 || n > 254) return false;
  int ats = 0;
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)in[i];
    if (c <= ' ' || c == 0x7f || c == '"' || c == '<' || c == '>' || c == ',') return false;
    if (c == '@') ats++;
    out[i] = (c >= 'A' && c <= 'Z') ? (char)(c + 32) : (char)c;
  }
  out[n] = 0;
  const char *at = strchr(out, '@');
  return ats == 1 && at != out && at[1] != 0;
}

bool srv_text_ok(const char *s, size_t max) {
  const unsigned char *p = (const unsigned char *)s;
  size_t n = strlen(s);
  if (n == 0 || n > max) return false;
  while (*p) {
    if (*p < 0x20 || *p == 0x7f) return false;
    int len = *p < 0x80 ? 1 : (*p & 0xe0) == 0xc0 ? 2 : (*p & 0xf0) == 0xe0 ? 3 : (*p & 0xf8) == 0xf0 ? 4 : 0;
    if (len == 0 || (len == 2 && *p < 0xc2)) return false;
    for (int i = 1; i < len; i++)
      if ((p[i] & 0xc0) != 0x80) return false;
    p += len;
  }
  return true;
}
