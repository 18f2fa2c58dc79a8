/*
 * Checking one input file: read it entry by entry, detect what it is, choose the version to
 * check against, and walk every entity with the compiled schema, the reference index and the
 * uniqueness rules of that version. Findings go to the sink; what was detected and assumed
 * goes to check_info.
 */
#ifndef CHECK_H
#define CHECK_H

#include <stdbool.h>
#include <stddef.h>

#include "check_across.h"
#include "diag/diag.h"
#include "reader/reader.h"
#include "rewrite/rewrite.h"
#include "schema/schema.h"
#include "source/source.h"

/*
 * Receives every top-level entry as the target release sees it (after the rewrites), in file
 * order, for writing the converted document out canonically. value is NULL for LIST_END.
 */
struct check_emitter {
    void *ctx;
    void (*entry)(void *ctx, enum reader_entry_kind kind, const struct node *key,
                  const struct node *value);
};

struct check_options {
    const char *product;     /* from --from/--to, or NULL */
    struct version from, to; /* count 0 when not given */
    const char *input_flavor;
    const char *router_flavor;
    const char *edition; /* NULL: the product's default for the releases checked */
    const char *const *custom_plugins;
    size_t custom_plugin_count;
    bool json_strict;
    enum placeholder_kind placeholders;
    bool placeholders_given; /* else what the file holds may show envsubst's */
    bool strict; /* an input gatehop recognises but does not check is an error, not a note */
    struct reader_limits limits;
    /*
     * Converting: the rewrites of the hops from --from to --to go to *log (with the edits
     * that make them in the text) instead of being findings; emitter, when set, gets the
     * converted entries. Linting leaves log NULL, and each rewrite is a finding.
     */
    struct rw_log *log;
    const struct check_emitter *emitter;
    /* `from` was inferred by an earlier pass over the file (check_info.recheck): why, for the
     * note ("it uses field 'realm' (kong.yml:9:7), added in kong 3.7"); NULL when given. */
    const char *inferred;
    /* The edition or router flavour above was inferred by an earlier pass (check_info.
     * settings_inferred): why, for the note; NULL when given. */
    const char *settings_inferred;
    /* Read the file with these spaces inserted after quoted keys (check_info.lenient_found of
     * an earlier pass); NULL: read it as it is. */
    const struct lenient_plan *lenient;
    /* The file is one of several its tool reads as one configuration (decK's state files):
     * its names and the references it could not resolve are left here (check_across.h);
     * NULL: the file stands alone. */
    struct across_file *across;
};

#define CHECK_MAX_HOPS 32

struct check_info {
    char product[16];
    char flavor[16];
    char format_version[32];
    char version[32];
    char router_flavor[32];
    char edition[24];
    bool edition_shown; /* not the product's usual edition, so worth saying */
    char note[1024];
    char unchecked_plugins[400]; /* "a, b": plugins met whose configuration was not checked */
    bool assumed;
    bool unrecognized;             /* no gateway's configuration, as far as detection could tell */
    char hops[CHECK_MAX_HOPS][24]; /* "2.8 -> 3.0", one per hop of the conversion */
    size_t nhops;
    bool hops_incomplete; /* reading stopped early: some rewrites may be missing */
    /*
     * The file uses something only a later release than the assumed one has: the caller
     * should check it again with recheck_from as the source and `inferred` as the reason
     * (check_options.inferred). Set only when the source was not given.
     */
    bool recheck;
    struct version recheck_from; /* unset: the same source as before */
    char inferred[320];
    /* Or with this edition or router flavour ("": as before), neither given: the file uses
     * what only it has; settings_inferred says so (check_options.settings_inferred). */
    char recheck_edition[24];
    char recheck_router_flavor[32];
    char recheck_input_flavor[16]; /* "deck": a plain Kong file that uses decK's keys */
    bool recheck_envsubst;         /* values a check refused hold shell variables: a template */
    char settings_inferred[400];
    /*
     * The file's YAML was refused, and reads with a space after the ':' of quoted keys that
     * have none, as tinyyaml reads them (reader_lenient.h): the caller should check it again
     * with this as check_options.lenient, and free it (lenient_plan_free). NULL otherwise.
     */
    struct lenient_plan *lenient_found;
    /* The knowledge the file was checked against (the target's compiled document) and the
     * product it belongs to, borrowed from the knowledge base: NULL when no product was
     * recognised. What editors ask of a key (api_fields.c) is answered from them. */
    const struct spec_document *doc;
    const struct kb_product *kb_product;
};

int check_file(struct kb *kb, struct source *src, const struct check_options *opt,
               struct diag_sink *sink, struct check_info *info, gh_error *err);

#endif
