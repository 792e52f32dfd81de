#include "cli/table.h"

#include <stdlib.h>

/* display columns, not bytes: UTF-8 continuation bytes take none */
size_t md_text_width(const char *s)
{
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        n += (*p & 0xC0) != 0x80;
    return n;
}

void md_table_write(FILE *f, char ***rows, size_t nrows, size_t ncols, size_t minwidth,
                    size_t padding, const char *eol)
{
    size_t *w = calloc(ncols ? ncols : 1, sizeof(*w));
    if (w == NULL) return;
    for (size_t r = 0; r < nrows; r++)
        for (size_t c = 0; c < ncols; c++) {
            size_t l = md_text_width(rows[r][c] ? rows[r][c] : "") + padding;
            if (l > w[c]) w[c] = l;
        }
    for (size_t c = 0; c < ncols; c++)
        if (w[c] < minwidth) w[c] = minwidth;
    for (size_t r = 0; r < nrows; r++) {
        for (size_t c = 0; c < ncols; c++) {
            const char *s = rows[r][c] ? rows[r][c] : "";
            fputs(s, f);
            if (c + 1 < ncols) fprintf(f, "%*s", (int)(w[c] - md_text_width(s)), "");
        }
        fputs(eol, f);
    }
    free(w);
}
