/* check_wrapped must refuse this file: one message is not marked for translation. */
#include <stdio.h>

#define _(s) (s)

int main(void)
{
	printf(_("marked, so fine\n"));
	fprintf(stderr, "hearth: this one is not marked\n");
	return 0;
}
