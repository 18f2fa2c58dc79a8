/*
 * Diagnostics: findings about the user's configuration, collected per input file.
 *
 * Invariants: every diagnostic has a rule from diag_rules.def and a severity; its strings
 * live in the sink's arena. Past the sink's limit, findings are counted, not stored, and one
 * HOP9003 says so. diag_sort() orders by line, column, code and then arrival, so output is
 * deterministic.
 *
 * Secret values must never reach a message. Checks pass values through diag_value() with the
 * field's secret flag, and record where secret values sit with diag_add_secret_span() so
 * that excerpts of the source can mask them.
 */
#ifndef DIAG_H
#define DIAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag_secrets.h"
#include "gatehop.h"
#include "model/model_node.h"
#include "util/util_arena.h"

enum rule_id {
#define RULE(code, name, severity, summary) R_##code,
#include "diag_rules.def"
#undef RULE
    RULE_COUNT
};

const gh_rule *rule_info(enum rule_id rule);
/* The rule with this code (any case) or name; -1 when none. */
int rule_lookup(const char *code_or_name);

/*
 * What a project's settings make of each rule (.gatehop.yml): RULE_KEEP its own severity, a
 * gh_severity instead, or RULE_OFF: not recorded at all.
 */
enum { RULE_KEEP = -1, RULE_OFF = 3 };
typedef signed char rule_policy[RULE_COUNT];

struct diag {
    enum rule_id rule;
    /* A rule of an organisation ruleset (rule is then R_HOP9006): its name is the code. Owned by
     * the ruleset, which outlives the findings. NULL for gatehop's own rules. */
    const gh_rule *custom;
    enum gh_severity severity;
    struct span span;
    const char *message;
    const char *path;
    const char *entity;
    uint32_t seq; /* arrival order, the last sort key */
};

struct diag_sink {
    struct diag *items;
    size_t count, cap;
    size_t max;     /* stored findings; the rest are counted */
    size_t dropped; /* counted, not stored */
    size_t by_severity[3];
    struct secret_spans secrets; /* in position order once diag_sort() has run */
    struct arena strings;
    const signed char *policy; /* a rule_policy, or NULL: every rule as it is */
    size_t suppressed;         /* findings removed by suppressions (diag_remove) */
    bool failed;               /* out of memory while recording: the result is incomplete */
};

void diag_sink_init(struct diag_sink *sink, size_t max);
void diag_sink_release(struct diag_sink *sink);

/*
 * Records a finding. severity < 0 means the rule's default. path and entity may be NULL.
 * Never fails from the caller's point of view: running out of memory sets sink->failed.
 */
void diag_add(struct diag_sink *sink, enum rule_id rule, int severity, const struct span *span,
              const char *path, const char *entity, const char *fmt, ...) GH_PRINTF(7, 8);
/* Records a finding of an organisation ruleset's rule (its severity as the ruleset sets it;
 * a project's policy for HOP9006 applies to all of them). */
void diag_add_custom(struct diag_sink *sink, const gh_rule *custom, enum gh_severity severity,
                     const struct span *span, const char *path, const char *message);
/* Whether a secret value's span (diag_add_secret_span) lies within span: for text made after
 * the checks (a ruleset's messages), which must not show it. The secrets must be in order
 * (diag_sort). */
bool diag_span_holds_secret(const struct diag_sink *sink, const struct span *span);
/* The finding's rule: gatehop's own, or the ruleset's. */
static inline const gh_rule *diag_rule(const struct diag *d)
{
    return d->custom ? d->custom : rule_info(d->rule);
}
void diag_add_secret_span(struct diag_sink *sink, const struct span *span);
/* Adds a finding another sink holds (a held one, reported after all), as it stands. */
void diag_add_copy(struct diag_sink *sink, const struct diag *d);
/* Adds every finding and secret span of src to dst (src keeps its own). */
void diag_merge(struct diag_sink *dst, const struct diag_sink *src);
void diag_sort(struct diag_sink *sink);
/* Takes out the findings whose flag is set (one per item) and counts them as suppressed. */
void diag_remove(struct diag_sink *sink, const bool *remove);
/* Takes out the flagged findings as never made: a later look showed them wrong (a reference
 * another file of the set answers), so they are not counted as suppressed. */
void diag_take_back(struct diag_sink *sink, const bool *remove);
/* Appends the HOP9003 note when findings were dropped; call once, before sorting. */
void diag_finish(struct diag_sink *sink);

/*
 * A scalar's value as it may appear in a message, quoted: '<redacted>' when secret, cut
 * at 80 characters, control characters escaped. Lives in the sink's arena.
 */
const char *diag_value(struct diag_sink *sink, const struct node *n, bool secret);

#endif
