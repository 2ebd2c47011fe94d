/* The growable byte buffer (git's strbuf, cmark's cmark_strbuf): ptr is never NULL. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hearth_internal.h"
#include "i18n.h"

char hearth_buf__empty[1];

void hearth_buf_init(hearth_buf *buf, size_t cap)
{
	buf->ptr = hearth_buf__empty;
	buf->size = 0;
	buf->asize = 0;
	buf->cap = cap;
}

int hearth_buf_grow(hearth_buf *buf, size_t extra)
{
	size_t need, nsize;
	char *p;

	if (extra > SIZE_MAX - buf->size - 1)
		return hearth_error_set(HEARTH_ERROR, _("buffer size overflow"));
	need = buf->size + extra + 1;
	if (buf->cap && need - 1 > buf->cap)
		return hearth_error_set(HEARTH_ECORRUPT, _("input larger than the limit of %zu bytes"),
			buf->cap);
	if (need <= buf->asize)
		return 0;
	nsize = buf->asize ? buf->asize : 64;
	while (nsize < need)
		nsize = nsize > SIZE_MAX / 2 ? need : nsize * 2;
	p = realloc(buf->asize ? buf->ptr : NULL, nsize);
	if (!p)
		return hearth_error_set(HEARTH_ERROR, _("out of memory"));
	if (!buf->asize)
		p[0] = '\0';
	buf->ptr = p;
	buf->asize = nsize;
	return 0;
}

int hearth_buf_put(hearth_buf *buf, const void *data, size_t len)
{
	int rc;

	if (len == 0)
		return 0;
	if ((rc = hearth_buf_grow(buf, len)) < 0)
		return rc;
	memmove(buf->ptr + buf->size, data, len);
	buf->size += len;
	buf->ptr[buf->size] = '\0';
	return 0;
}

int hearth_buf_puts(hearth_buf *buf, const char *s)
{
	return hearth_buf_put(buf, s, strlen(s));
}

int hearth_buf_putc(hearth_buf *buf, char c)
{
	return hearth_buf_put(buf, &c, 1);
}

int hearth_buf_vprintf(hearth_buf *buf, const char *fmt, va_list ap)
{
	size_t room = buf->asize ? buf->asize - buf->size : 0;
	va_list again;
	int n, rc = 0;

	/* format straight into the spare room; only a longer result is formatted twice */
	va_copy(again, ap);
	n = vsnprintf(room ? buf->ptr + buf->size : NULL, room, fmt, ap);
	if (n >= 0 && (size_t)n >= room) {
		if ((rc = hearth_buf_grow(buf, (size_t)n)) == 0)
			vsnprintf(buf->ptr + buf->size, (size_t)n + 1, fmt, again);
		else if (buf->asize)
			buf->ptr[buf->size] = '\0'; /* the cut first pass wrote past it */
	}
	va_end(again);
	if (rc < 0)
		return rc;
	if (n < 0) {
		if (buf->asize)
			buf->ptr[buf->size] = '\0';
		return hearth_error_set(HEARTH_ERROR, _("bad format"));
	}
	buf->size += (size_t)n;
	return 0;
}

int hearth_buf_printf(hearth_buf *buf, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = hearth_buf_vprintf(buf, fmt, ap);
	va_end(ap);
	return rc;
}

void hearth_buf_clear(hearth_buf *buf)
{
	buf->size = 0;
	if (buf->asize)
		buf->ptr[0] = '\0';
}

void hearth_buf_dispose(hearth_buf *buf)
{
	if (buf->asize)
		free(buf->ptr);
	buf->ptr = hearth_buf__empty;
	buf->size = 0;
	buf->asize = 0;
}

char *hearth_buf_detach(hearth_buf *buf)
{
	char *p;

	if (!buf->asize) {
		p = malloc(1);
		if (p)
			p[0] = '\0';
		return p;
	}
	p = buf->ptr;
	buf->ptr = hearth_buf__empty;
	buf->size = 0;
	buf->asize = 0;
	return p;
}
