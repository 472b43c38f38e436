/* Number <-> text conversions with exactly the semantics of LANGUAGE.md
 * §2.7-2.11 and §9.2-9.3. Pure functions: no VM state, no allocation. */
#ifndef TOIT_VM_NUMFMT_H
#define TOIT_VM_NUMFMT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Buffers of this size hold any result of the functions below except
 * numfmt_float_fixed with a large precision. */
#define NUMFMT_BUF 72

/* The Toit `stringify` of a float: shortest digits that round-trip; fixed
 * notation (with ".0" when integral) for 1e-6 <= |d| < 1e21 and +-0,
 * otherwise exponent form "1.5e22", "1e-07"; "inf", "-inf", "nan".
 * Returns the length written to buf (NUL-terminated). */
int numfmt_float(char *buf, double d);

/* Fixed notation with exactly `precision` (0..64) decimals, rounding half to
 * even on the exact binary value as C's printf does ("%.*f").
 * inf/nan as numfmt_float. Returns length, or -1 if cap is too small. */
int numfmt_float_fixed(char *buf, size_t cap, double d, int precision);

/* Signed decimal or radix 2..36 ("-ff" for -255 in radix 16). */
int numfmt_int(char *buf, int64_t v, int radix);
/* Unsigned (two's complement bit pattern) in radix 2..36; upper for A-Z. */
int numfmt_uint(char *buf, uint64_t v, int radix, bool upper);

/* Parses a whole string as an int in radix 2..36 (optional leading '-',
 * '_' separators between digits allowed as in int.parse). Returns false on
 * any bad character, empty input or overflow of the signed 64-bit range. */
bool numfmt_parse_int(const char *s, size_t len, int radix, int64_t *out);
/* Parses a whole string as a float (decimal, optional exponent, "inf",
 * "nan", leading '-'/'+'). Returns false on bad input. */
bool numfmt_parse_float(const char *s, size_t len, double *out);

/* An interpolation format "[-|^][0][width][.precision]type" (§2.11). */
typedef struct {
  char align;     /* '>' right (default), '<' left ('-'), '^' center */
  bool zero_pad;
  int width;      /* 0 = none */
  int precision;  /* -1 = none */
  char type;      /* d u x X o b f s c, or any other letter (an error at run time) */
} numfmt_spec;

/* Parses a spec (without '%'). Returns false if its shape is wrong (the
 * compile-time check "Invalid format string"). */
bool numfmt_parse_spec(const char *spec, size_t len, numfmt_spec *out);

/* Pads text (len bytes, `units` columns: code points for s/c, bytes
 * otherwise) into out per the spec's width/alignment/zero padding. Zero
 * padding goes before the sign (quirk: "00-42"). Returns the length, or -1
 * if cap is too small. */
int numfmt_pad(const numfmt_spec *spec, const char *text, size_t len, size_t units,
               char *out, size_t cap);

#endif
