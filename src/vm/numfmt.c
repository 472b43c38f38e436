#include "vm/numfmt.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Shortest round-trip digits: try 1..17 significant digits. */
int numfmt_float(char *buf, double d) {
  if (isnan(d)) return sprintf(buf, "nan");
  if (isinf(d)) return sprintf(buf, d < 0 ? "-inf" : "inf");
  if (d == 0) return sprintf(buf, signbit(d) ? "-0.0" : "0.0");
  char e[40];
  int prec = 1;
  for (; prec <= 17; prec++) {
    snprintf(e, sizeof e, "%.*e", prec - 1, d);
    if (strtod(e, NULL) == d) break;
  }
  /* e = [-]D.DDDDe[+-]XX: collect digits and the exponent. */
  char digits[24];
  int nd = 0, neg = 0;
  const char *s = e;
  if (*s == '-') neg = 1, s++;
  for (; *s && *s != 'e'; s++)
    if (*s >= '0' && *s <= '9') digits[nd++] = *s;
  int exp = atoi(s + 1);
  while (nd > 1 && digits[nd - 1] == '0') nd--;
  digits[nd] = 0;
  char *o = buf;
  if (neg) *o++ = '-';
  double a = fabs(d);
  if (a >= 1e-6 && a < 1e21) {
    if (exp >= 0) {
      for (int i = 0; i <= exp; i++) *o++ = i < nd ? digits[i] : '0';
      *o++ = '.';
      if (nd > exp + 1)
        for (int i = exp + 1; i < nd; i++) *o++ = digits[i];
      else
        *o++ = '0';
    } else {
      *o++ = '0';
      *o++ = '.';
      for (int i = 0; i < -exp - 1; i++) *o++ = '0';
      for (int i = 0; i < nd; i++) *o++ = digits[i];
    }
    *o = 0;
    return (int)(o - buf);
  }
  *o++ = digits[0];
  if (nd > 1) {
    *o++ = '.';
    for (int i = 1; i < nd; i++) *o++ = digits[i];
  }
  o += sprintf(o, "e%s%02d", exp < 0 ? "-" : "", exp < 0 ? -exp : exp);
  if (exp >= 0 && exp < 10) {
    /* "e5" not "e05" for positive exponents. */
    o[-2] = o[-1];
    o--;
    *o = 0;
  }
  return (int)(o - buf);
}

int numfmt_float_fixed(char *buf, size_t cap, double d, int precision) {
  if (isnan(d) || isinf(d)) {
    char tmp[8];
    int n = numfmt_float(tmp, d);
    if ((size_t)n + 1 > cap) return -1;
    memcpy(buf, tmp, (size_t)n + 1);
    return n;
  }
  if (precision < 0) precision = 0;
  if (precision > 64) precision = 64;
  int n = snprintf(buf, cap, "%.*f", precision, d);
  if (n < 0 || (size_t)n >= cap) return -1;
  return n;
}

int numfmt_uint(char *buf, uint64_t v, int radix, bool upper) {
  const char *dig = upper ? "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ" : "0123456789abcdefghijklmnopqrstuvwxyz";
  char tmp[70];
  int n = 0;
  do {
    tmp[n++] = dig[v % (uint64_t)radix];
    v /= (uint64_t)radix;
  } while (v);
  for (int i = 0; i < n; i++) buf[i] = tmp[n - 1 - i];
  buf[n] = 0;
  return n;
}

int numfmt_int(char *buf, int64_t v, int radix) {
  if (v < 0) {
    buf[0] = '-';
    return 1 + numfmt_uint(buf + 1, (uint64_t)0 - (uint64_t)v, radix, false);
  }
  return numfmt_uint(buf, (uint64_t)v, radix, false);
}

bool numfmt_parse_int(const char *s, size_t len, int radix, int64_t *out) {
  size_t i = 0;
  bool neg = false;
  if (len > 0 && s[0] == '-') neg = true, i = 1;
  if (i >= len) return false;
  uint64_t limit = neg ? (uint64_t)1 << 63 : ((uint64_t)1 << 63) - 1;
  uint64_t v = 0;
  bool prev_digit = false;
  for (; i < len; i++) {
    char c = s[i];
    if (c == '_') {
      if (!prev_digit || i + 1 >= len || s[i + 1] == '_') return false;
      prev_digit = false;
      continue;
    }
    int dv;
    if (c >= '0' && c <= '9') dv = c - '0';
    else if (c >= 'a' && c <= 'z') dv = c - 'a' + 10;
    else if (c >= 'A' && c <= 'Z') dv = c - 'A' + 10;
    else return false;
    if (dv >= radix) return false;
    if (v > (limit - (uint64_t)dv) / (uint64_t)radix) return false;
    v = v * (uint64_t)radix + (uint64_t)dv;
    prev_digit = true;
  }
  if (!prev_digit) return false;
  *out = neg ? (int64_t)(0 - v) : (int64_t)v;
  return true;
}

bool numfmt_parse_float(const char *s, size_t len, double *out) {
  if (len == 0 || len > 400) return false;
  char buf[401];
  memcpy(buf, s, len);
  buf[len] = 0;
  for (size_t i = 0; i < len; i++) {
    char c = buf[i];
    if (!((c >= '0' && c <= '9') || c == '.' || c == 'e' || c == 'E' || c == '-' || c == '+' ||
          c == 'i' || c == 'n' || c == 'f' || c == 'a'))
      return false;
  }
  char *end;
  double d = strtod(buf, &end);
  if (end != buf + len) return false;
  *out = d;
  return true;
}

bool numfmt_parse_spec(const char *spec, size_t len, numfmt_spec *out) {
  memset(out, 0, sizeof *out);
  out->align = '>';
  out->precision = -1;
  size_t i = 0;
  if (i < len && (spec[i] == '-' || spec[i] == '^')) out->align = spec[i++] == '-' ? '<' : '^';
  if (i < len && spec[i] == '0') out->zero_pad = true, i++;
  int width = 0;
  while (i < len && spec[i] >= '0' && spec[i] <= '9') {
    width = width * 10 + (spec[i++] - '0');
    if (width > 100000) return false;
  }
  out->width = width;
  if (i < len && spec[i] == '.') {
    i++;
    int prec = 0;
    while (i < len && spec[i] >= '0' && spec[i] <= '9') {
      prec = prec * 10 + (spec[i++] - '0');
      if (prec > 100000) return false;
    }
    out->precision = prec;
  }
  if (i + 1 != len) return false;
  char t = spec[i];
  if (!((t >= 'a' && t <= 'z') || (t >= 'A' && t <= 'Z'))) return false;
  out->type = t;
  return true;
}

int numfmt_pad(const numfmt_spec *spec, const char *text, size_t len, size_t units, char *out,
               size_t cap) {
  size_t width = spec->width > 0 ? (size_t)spec->width : 0;
  size_t pad = width > units ? width - units : 0;
  if (len + pad + 1 > cap) return -1;
  size_t left = 0, right = 0;
  if (spec->align == '<') right = pad;
  else if (spec->align == '^') left = pad / 2, right = pad - pad / 2;
  else left = pad;
  char fill = spec->zero_pad && spec->align == '>' ? '0' : ' ';
  size_t at = 0;
  for (size_t i = 0; i < left; i++) out[at++] = fill;
  memcpy(out + at, text, len);
  at += len;
  for (size_t i = 0; i < right; i++) out[at++] = ' ';
  out[at] = 0;
  return (int)at;
}
