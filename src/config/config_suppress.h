/*
 * Suppressions: findings a user has decided to live with, named in the config's own text or
 * in a baseline (config_baseline.h).
 *
 * Inline: a YAML comment "# gatehop: ignore HOP2001[,HOP2003...] reason" covers findings of
 * those rules (codes or names) that start on the comment's line or the line below it. libyaml
 * drops comments, so they are read from the text, and only when the source saw "gatehop:" go
 * by. A '#' opens a comment at the start of a line or after a space or tab, outside quotes.
 *
 * Invariants: a suppression that matches nothing, or names no rule, is itself a finding
 * (HOP9004), so stale ones do not pile up; HOP9004 cannot be suppressed. Nothing is judged
 * stale when findings were dropped past --max-findings: the one it covered may be among them.
 */
#ifndef CONFIG_SUPPRESS_H
#define CONFIG_SUPPRESS_H

#include "config/config_baseline.h"
#include "diag/diag.h"
#include "source/source.h"

struct suppress_input {
    const struct source *src;
    bool inline_comments;                  /* read "# gatehop:" comments (YAML, not JSON) */
    const struct baseline_entry *baseline; /* the baseline's entries for this file */
    size_t nbaseline;
    const char *baseline_name; /* for messages */
};

/* Takes covered findings out of the sink, adds HOP9004 for stale suppressions and sorts it
 * again. Returns 0, or -1 when the text could not be read again (the findings stay). */
int suppress_findings(struct diag_sink *sink, const struct suppress_input *in);

#endif
