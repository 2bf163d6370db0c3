#ifndef ROLEGATE_UTF8_H
#define ROLEGATE_UTF8_H

#include <stddef.h>

/*
 * The length of the valid multi-byte UTF-8 sequence at s (n bytes
 * available), or 0 when it is not one RFC 3629 allows: an ASCII byte, a
 * stray continuation byte, an overlong form, a surrogate, a value past
 * U+10FFFF, or a sequence cut short. One rule for the call reader
 * (calljson.c) and the log writer (audit_record.c), so that what one takes
 * as text the other does too.
 */
size_t rg_utf8_len(const unsigned char *s, size_t n);

#endif
