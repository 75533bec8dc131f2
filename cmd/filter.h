/*
 * filter.h - bh-filter's module filter-jq.c.
 */
#ifndef BH_FILTER_H
#define BH_FILTER_H

#include <jq.h>

void	jq_message(void *data, jv msg);
int	json_number(const char *s, double *d);
jv	field_value(const char *s, char **esc, size_t *esccap);
void	runtime_error(struct bh_reader *r, jv msg);
void	halted(jq_state *jq, struct bh_reader *r);

#endif
