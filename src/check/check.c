/*
 * The per-file driver: entries from the reader, detection before the first collection, the
 * choice of version, then every top-level key and item checked as it streams past.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_feed.h"
#include "check_internal.h"
#include "check_yaml.h"
#include "detect/detect.h"
#include "util/util_error.h"
#include "util/util_str.h"

/*
 * One walk over the entries. The check is one; when the check reads rewritten entries against
 * a later target and the file's release is being inferred, a probe is another: it reads the
 * entries as written, against the release the file is assumed to be written for, only to
 * gather what the file uses that a later release added (check_run.evidence).
 */
struct lane {
    struct check_run run;
    const struct spec_entity *collection; /* the entity of the current top-level list */
    const struct spec_field *list_field;  /* or the metadata field it fills */
    const struct node *list_key;
    const struct node *declaration; /* the list's plugin_declarations entry, or NULL */
    bool *meta_seen;
    struct version_evidence evidence;
    struct diag_sink quiet; /* the probe's: every rule off */
    rule_policy off;
    bool active;
};

struct driver {
    struct lane main, probe;
    struct check_run *run; /* &main.run */
    struct kb *kb;
    const struct kb_product *product;
    struct source *src;
    struct reader reader;
    struct feed *feed;
    const struct check_options *opt;
    struct check_info *info;
    gh_error *err;
    struct detect_state detect;
    struct reader_entry held[64]; /* entries read before detection decided */
    size_t nheld;
    bool decided, checking;
    bool inferring; /* no --from: what the file uses may show a later release */
    /* The file configures this other product through a tool (an ADC file, --to apisix@V):
     * product.yaml `backends`. NULL when the options name the file's own product. */
    const struct kb_product *backend;
    struct version backend_since;
    const char *backend_what;
    const struct version *assumed;
    const struct version *source; /* the release the file is taken as written for */
    bool *unchecked_plugins;      /* parallel to the document's plugins */
    /* Rewriting from the source release to the target, when they differ. */
    struct rw_plan plan;
    bool rewriting;
    struct rw_ctx rw;
    struct rw_log own_log; /* linting: the log behind the findings */
    struct arena rw_nodes; /* rewritten nodes of the current entry */
    bool begun;
    struct yaml_typing yaml; /* scalars as the target's YAML library types them */
};

/* ---- lanes -------------------------------------------------------------------------------- */

static bool lane_init(struct lane *l, const struct check_options *opt, struct diag_sink *sink)
{
    struct check_run *run = &l->run;
    run->opt = opt;
    run->sink = sink;
    index_init(&run->index);
    arena_init(&run->scratch, 16 * 1024);
    arena_init(&run->kept, 4 * 1024);
    path_init(&run->path);
    metadata_book_init(&run->metadata);
    plugin_book_init(&run->declared);
    if (!vctx_init(&run->vctx, sink, &run->path, &run->scratch))
        return false;
    run->vctx.metadata = &run->metadata;
    run->vctx.declared = &run->declared;
    return true;
}

static void lane_release(struct lane *l)
{
    struct check_run *run = &l->run;
    vctx_release(&run->vctx);
    index_release(&run->index);
    metadata_book_release(&run->metadata);
    plugin_book_release(&run->declared);
    arena_release(&run->scratch);
    arena_release(&run->kept);
    free(l->meta_seen);
    if (l->quiet.policy)
        diag_sink_release(&l->quiet);
}

/* Points a lane at the compiled document it checks against. */
static int lane_start(struct driver *d, struct lane *l, const struct spec_document *doc,
                      const char *marker)
{
    struct check_run *run = &l->run;
    run->doc = doc;
    run->vctx.doc = doc;
    run->vctx.env.version = &doc->target.version;
    run->vctx.env.router_flavor = doc->target.router_flavor;
    run->vctx.env.expr = doc->expr;
    run->vctx.src = d->src;
    run->vctx.env.format_version = marker ? marker : "";
    run->vctx.json = d->opt->json_strict;
    run->vctx.release_assumed =
        !version_is_set(&d->opt->to) && (!version_is_set(&d->opt->from) || d->opt->inferred);
    run->vctx.strict = d->opt->strict;
    run->vctx.custom_plugins = d->opt->custom_plugins;
    run->vctx.n_custom_plugins = d->opt->custom_plugin_count;
    /* The plugin schemas describe the product's usual edition (Kong's: the open-source one). */
    run->vctx.plugin_fields_open = doc->target.edition && kb_has_editions(d->product) &&
                                   strcmp(doc->target.edition, kb_usual_edition(d->product)) != 0;
    run->duplicates_are_errors = doc->duplicates_are_errors;
    l->meta_seen = calloc(doc->meta.nfields + 1, sizeof(bool));
    l->active = true;
    return l->meta_seen ? 0 : error_set(d->err, GH_ENOMEM, "out of memory");
}

/*
 * The probe: the entries as written, against the release the file is assumed to be written
 * for, into a sink that records nothing, so that what only a later release has is noted while
 * the check itself reads the entries rewritten for the target.
 */
static int start_probe(struct driver *d, const struct target *t, const struct version *from)
{
    struct lane *l = &d->probe;
    struct target at = *t;
    at.version = *from;
    if (!at.router_flavor || !kb_router_flavor_find(d->product, from, at.router_flavor))
        at.router_flavor = kb_default_router_flavor(d->product, from);
    if (at.router_flavor)
        at.router_flavor = kb_router_flavor_find(d->product, from, at.router_flavor);
    const struct spec_document *doc;
    int rc = kb_compile(d->kb, d->product, &at, &doc, d->err);
    if (rc < 0)
        return rc;
    memset(l->off, RULE_OFF, sizeof(l->off));
    diag_sink_init(&l->quiet, 0);
    l->quiet.policy = l->off;
    if (!lane_init(l, d->opt, &l->quiet))
        return error_set(d->err, GH_ENOMEM, "out of memory");
    l->run.probe = true;
    l->run.vctx.probe = true;
    l->run.vctx.evidence = &l->evidence;
    return lane_start(d, l, doc, d->info->format_version);
}

/* ---- choosing what to check against ------------------------------------------------------ */

/* A quick second pass for metadata keys written after the collections. */
static int prescan(struct driver *d, gh_error *err)
{
    struct source copy;
    int rc = source_open_copy(d->src, &copy, err);
    if (rc < 0)
        return rc;
    struct diag_sink quiet;
    diag_sink_init(&quiet, 1);
    struct reader_options ro;
    reader_options_default(&ro);
    ro.limits = d->opt->limits;
    ro.meta_only = true;
    ro.lenient = d->opt->lenient;
    ro.json_strict = d->opt->json_strict; /* findings go nowhere; JSON is read faster */
    struct reader r;
    if ((rc = reader_open(&r, &copy, &ro, &quiet, err)) == 0) {
        struct reader_entry e;
        while ((rc = reader_next(&r, &e, err)) == 0 && e.kind != ENTRY_END)
            if (e.kind == ENTRY_VALUE || e.kind == ENTRY_LIST_BEGIN)
                detect_key(&d->detect, e.key, e.value);
    }
    reader_close(&r);
    diag_sink_release(&quiet);
    source_close(&copy);
    return rc;
}

static enum flavor schema_flavor(const struct detection *det)
{
    if (det->product == DETECT_APISIX)
        return FLAVOR_APISIX;
    if (det->product == DETECT_ADC)
        return FLAVOR_ADC;
    static const enum flavor map[] = {[DFLAVOR_KONG] = FLAVOR_KONG,
                                      [DFLAVOR_DBEXPORT] = FLAVOR_DBEXPORT,
                                      [DFLAVOR_DECK] = FLAVOR_DECK};
    return map[det->flavor];
}

/* The newest release of the edition asked for, or of the product's usual one. */
static const struct version *latest(const struct driver *d)
{
    return kb_latest(d->product, kb_edition_find(d->product, d->opt->edition));
}

static int known_version(struct driver *d, const struct version *asked, const char *option,
                         const struct version **out)
{
    *out = kb_version_match(d->product, asked);
    if (*out)
        return 0;
    char text[32], known[256] = "";
    version_format(asked, text, sizeof(text));
    for (size_t i = 0; i < kb_version_count(d->product); i++) {
        size_t used = strlen(known);
        snprintf(known + used, sizeof(known) - used, "%s%s", i ? ", " : "",
                 kb_version_text(d->product, i));
    }
    return error_set(d->err, GH_EVERSION, "%s %s %s is not a version gatehop knows (known: %s)",
                     option, kb_product_name(d->product), text, known);
}

/*
 * The release to assume when the file does not name one: what its marker or its keys point to,
 * else the --to release, else the latest. why says what that rests on; qualifier is a phrase
 * for the note ("the target release, ") or "".
 */
static const struct version *assumed_version(struct driver *d, const struct detection *det,
                                             char *why, size_t size, const char **qualifier)
{
    const struct version *target =
        version_is_set(&d->opt->to) ? kb_version_match(d->product, &d->opt->to) : NULL;
    const struct version *v =
        det->has_format_version ? kb_format_assume(d->product, det->format_version) : NULL;
    struct version hinted;
    const struct version *hint =
        det->version_hint[0] && version_parse(det->version_hint, strlen(det->version_hint), &hinted)
            ? kb_version_match(d->product, &hinted)
            : NULL;
    *qualifier = "";
    if (!v && hint) {
        snprintf(why, size, "the file does not say its version, but %s",
                 "its keys are spelled as before 3.0 (ssl, proto)");
        return hint;
    }
    if (v) {
        snprintf(why, size, "_format_version \"%s\" does not name a release", det->format_version);
        /* A format read by many releases, checked --to an older one than the usual assumption:
         * the file is taken as written for the target, not as a downgrade. */
        if (target && version_compare(target, v) < 0) {
            *qualifier = "the target release, ";
            return target;
        }
        return v;
    }
    /* Nothing says the version: a file linted --to a release is checked as written for it (the
     * question is whether it loads there), otherwise for the latest release. */
    snprintf(why, size, "%s",
             det->has_format_version              ? "_format_version is not one gatehop knows"
             : kb_has_format_versions(d->product) ? "no _format_version"
                                                  : "the file does not say its version");
    if (target) {
        *qualifier = "the --to release, ";
        return target;
    }
    return latest(d);
}

/*
 * The version the file was written for: --from, else what the file says or uses (an earlier
 * pass may have inferred it: opt->inferred says why), else the latest.
 */
static int source_version(struct driver *d, const struct detection *det, const struct version **out)
{
    struct check_info *info = d->info;
    const char *product = kb_product_name(d->product);
    d->inferring = !version_is_set(&d->opt->from) || d->opt->inferred;
    if (version_is_set(&d->opt->from) && !d->opt->inferred) {
        snprintf(info->note, sizeof(info->note), "source version given (--from or .gatehop.yml)");
        return known_version(d, &d->opt->from, "--from", out);
    }
    info->assumed = true;
    char why[160], text[32];
    const char *qualifier;
    const struct version *v = assumed_version(d, det, why, sizeof(why), &qualifier);
    d->assumed = v;
    if (d->opt->inferred) {
        int rc = known_version(d, &d->opt->from, "--from", &v);
        if (rc < 0)
            return rc;
        version_format(v, text, sizeof(text));
        snprintf(info->note, sizeof(info->note), "%s; %s; assumed %s %s (use --from to choose)",
                 why, d->opt->inferred, product, text);
    } else {
        version_format(v, text, sizeof(text));
        snprintf(info->note, sizeof(info->note), "%s; assumed %s%s %s (use --from to choose)", why,
                 qualifier, product, text);
    }
    *out = v;
    return 0;
}

/*
 * A file checked for the product it configures through a tool (an ADC file, --to apisix@3.13):
 * the tool's own rules, at the newest release of the file's product (the tool has one schema),
 * and the plugins of the backend's release. Nothing is rewritten: the file's format does not
 * change with the backend's releases.
 */
static int choose_backend_target(struct driver *d, const struct detection *det, struct target *t,
                                 const struct version **source)
{
    const struct kb_product *b = d->backend;
    const struct version *asked = version_is_set(&d->opt->to)     ? &d->opt->to
                                  : version_is_set(&d->opt->from) ? &d->opt->from
                                                                  : NULL;
    const struct version *v = asked ? kb_version_match(b, asked) : kb_latest(b, NULL);
    char text[32];
    version_format(asked ? asked : v, text, sizeof(text));
    if (!v)
        return error_set(d->err, GH_EVERSION, "%s %s is not a version gatehop knows",
                         kb_product_name(b), text);
    if (d->backend_since.count && version_compare(v, &d->backend_since) < 0) {
        char since[32];
        version_format(&d->backend_since, since, sizeof(since));
        return error_set(d->err, GH_EVERSION, "%s configures %s %s and later only (%s), not %s %s",
                         d->src->name, kb_product_name(b), since, d->backend_what,
                         kb_product_name(b), text);
    }
    const struct version *own = kb_latest(d->product, NULL);
    *t = (struct target){
        .version = *own, .flavor = schema_flavor(det), .backend = b, .backend_version = *v};
    *source = own;
    d->inferring = false;
    snprintf(d->info->note, sizeof(d->info->note),
             "configures %s through %s: checked with %s's rules and %s %s's plugins",
             kb_product_name(b), d->backend_what, detect_flavor_name(det) /* "adc" */,
             kb_product_name(b), text);
    return 0;
}

static int choose_target(struct driver *d, const struct detection *det, struct target *t,
                         const struct version **source)
{
    if (d->backend)
        return choose_backend_target(d, det, t, source);
    const struct version *from, *check;
    int rc = source_version(d, det, &from);
    *source = from;
    if (rc < 0)
        return rc;
    check = from;
    if (version_is_set(&d->opt->to)) {
        if ((rc = known_version(d, &d->opt->to, "--to", &check)) < 0)
            return rc;
        char text[32];
        version_format(from, text, sizeof(text));
        size_t used = strlen(d->info->note);
        snprintf(d->info->note + used, sizeof(d->info->note) - used,
                 "; target given (--to or .gatehop.yml), source %s %s", kb_product_name(d->product),
                 text);
        if (version_compare(check, from) < 0) {
            char to_text[32];
            version_format(check, to_text, sizeof(to_text));
            return error_set(d->err, GH_EUSAGE,
                             "--to %s is older than the source release %s: gatehop upgrades, it "
                             "does not downgrade",
                             to_text, text);
        }
    }
    const char *edition;
    if ((rc = kb_edition_choose(d->product, d->opt->edition, from, check, &edition, d->err)) < 0)
        return rc;
    if (!kb_has_router_flavors(d->product)) {
        if (d->opt->router_flavor)
            return error_set(d->err, GH_EUSAGE, "%s has no router flavours",
                             kb_product_name(d->product));
        *t = (struct target){.version = *check, .flavor = schema_flavor(det), .edition = edition};
        return 0;
    }
    const char *router = d->opt->router_flavor;
    if (!router)
        router = kb_default_router_flavor(d->product, check);
    const char *known = router ? kb_router_flavor_find(d->product, check, router) : NULL;
    if (!known) {
        char text[32];
        version_format(check, text, sizeof(text));
        return error_set(d->err, GH_EUSAGE, "router flavour '%s' does not exist in %s %s",
                         router ? router : "", kb_product_name(d->product), text);
    }
    *t = (struct target){.version = *check,
                         .flavor = schema_flavor(det),
                         .router_flavor = known,
                         .edition = edition};
    return 0;
}

static void fill_info(struct driver *d, const struct detection *det, const struct target *t)
{
    struct check_info *info = d->info;
    snprintf(info->product, sizeof(info->product), "%s", detect_product_name(det->product));
    snprintf(info->flavor, sizeof(info->flavor), "%s", detect_flavor_name(det));
    snprintf(info->format_version, sizeof(info->format_version), "%s", det->format_version);
    if (t && t->backend) { /* what was asked for: the backend's release */
        snprintf(info->product, sizeof(info->product), "%s", kb_product_name(t->backend));
        version_format(&t->backend_version, info->version, sizeof(info->version));
    } else if (t) {
        version_format(&t->version, info->version, sizeof(info->version));
        snprintf(info->router_flavor, sizeof(info->router_flavor), "%s",
                 t->router_flavor ? t->router_flavor : "");
        snprintf(info->edition, sizeof(info->edition), "%s", t->edition ? t->edition : "");
        /* Said when it is not the product's usual one. */
        info->edition_shown = t->edition && strcmp(t->edition, kb_usual_edition(d->product)) != 0;
    }
}

static void report_unsupported(struct driver *d, const struct detection *det)
{
    static const struct span start = {1, 1, 1, 1};
    static const char *const names[] = {
        [DETECT_ADC] = "an ADC file (API7 Enterprise / APISIX declarative)",
        [DETECT_ADC_LEGACY] = "a legacy ADC file (the v0.5 format)",
        [DETECT_APISIX] = "an APISIX standalone file",
        [DETECT_KONNECT_LEGACY] = "a legacy Konnect file (the 0.1 format)",
        [DETECT_KONG_AI] = "a Kong AI Gateway file",
    };
    if (det->product == DETECT_UNKNOWN) {
        d->info->unrecognized = true;
        diag_add(d->run->sink, R_HOP9002, -1, &start, "", NULL,
                 "cannot tell which gateway this file configures (%s); pass --input-flavor",
                 det->reason);
        return;
    }
    /* A note, not a failure: a file gatehop never checked must not fail CI (--strict: it does). */
    diag_add(d->run->sink, R_HOP9001, d->opt->strict ? GH_ERROR : -1, &start, "", NULL,
             "this looks like %s (%s); gatehop does not check%s it", names[det->product],
             det->reason, d->opt->log ? " or convert" : "");
    snprintf(d->info->note, sizeof(d->info->note), "recognised, not checked");
}

/* The hops from the source release to the target, and the rules this file meets on the way. */
static int plan_rewrites(struct driver *d, const struct detection *det, const struct version *from,
                         const struct target *t, const struct spec_document *doc)
{
    int rc =
        rw_plan_build(&d->plan, d->product, from, &t->version,
                      det->has_format_version ? det->format_version : NULL, t->edition, d->err);
    if (rc < 0)
        return rc;
    d->rewriting = d->plan.nhops > 0;
    struct check_info *info = d->info;
    for (size_t i = 0; i < d->plan.nhops && i < CHECK_MAX_HOPS; i++)
        rw_hop_text(&d->plan.hops[i], info->hops[info->nhops++], sizeof(info->hops[0]));
    d->rw = (struct rw_ctx){.plan = &d->plan,
                            .doc = doc,
                            .log = d->opt->log ? d->opt->log : &d->own_log,
                            .sink = d->opt->log ? NULL : d->run->sink,
                            .manual = d->run->sink,
                            .nodes = &d->rw_nodes,
                            .json = d->opt->json_strict,
                            .placeholders = d->opt->placeholders,
                            .format_seen = det->has_format_version};
    return 0;
}

/* The target's YAML library types the scalars from here on; the source's may differ. */
static void start_yaml_typing(struct driver *d, const struct version *from)
{
    const struct spec_document *doc = d->run->doc;
    d->yaml = (struct yaml_typing){.sink = d->run->sink,
                                   .off = d->opt->json_strict,
                                   .lib = doc->yaml_lib,
                                   .source = kb_yaml_lib(d->product, from),
                                   .named = kb_names_yaml_libs(d->product),
                                   .product = doc->product,
                                   .lyaml_since = kb_lyaml_since(d->product)};
    snprintf(d->yaml.version, sizeof(d->yaml.version), "%s", doc->version_text);
    version_format(from, d->yaml.source_version, sizeof(d->yaml.source_version));
    for (size_t i = 0; i < kb_version_count(d->product); i++)
        if (yaml_lib_is_tinyyaml(kb_yaml_lib(d->product, kb_version_at(d->product, i)))) {
            if (!d->yaml.tinyyaml_first)
                d->yaml.tinyyaml_first = kb_version_text(d->product, i);
            d->yaml.tinyyaml_last = kb_version_text(d->product, i);
        }
}

/* Whether a placeholder had been seen by the time the entry was read, as the option counts them. */
static bool placeholder_seen(const struct driver *d, const struct feed_entry *fe)
{
    return d->opt->placeholders == PLACEHOLDERS_ENVSUBST ? fe->dollar
           : d->opt->placeholders == PLACEHOLDERS_DECK   ? fe->placeholder
                                                         : false;
}

static void walk(struct lane *l, const struct reader_entry *e, bool placeholder);

/* The probe's walk over one entry, on the reader thread (feed_look_ahead()). */
static void probe_look(void *ctx, const struct feed_entry *fe)
{
    struct driver *d = ctx;
    walk(&d->probe, &fe->e, placeholder_seen(d, fe));
}

static int decide(struct driver *d, bool stopped)
{
    struct detection det;
    d->decided = true;
    bool end_marker = source_has_end_marker(d->src);
    if (d->opt->input_flavor) {
        struct detection seen;
        detect_decide(&d->detect, end_marker, &seen);
        if (!detect_from_name(d->opt->input_flavor, &det))
            return error_set(d->err, GH_EUSAGE,
                             "unknown input flavour '%s' (kong, dbexport, deck, adc, apisix)",
                             d->opt->input_flavor);
        det.has_format_version = seen.has_format_version;
        memcpy(det.format_version, seen.format_version, sizeof(det.format_version));
    } else {
        detect_decide(&d->detect, end_marker, &det);
        /* Metadata written after the collections: look for it before guessing. */
        /* APISIX too: its 2.15 keys (ssl, proto) may come after the first list. */
        bool may_be_kong = det.product == DETECT_KONG || det.product == DETECT_UNKNOWN ||
                           det.product == DETECT_APISIX;
        /* Converting needs to know too: a missing marker is inserted, a present one is not. */
        bool need =
            !version_is_set(&d->opt->from) || d->opt->inferred || version_is_set(&d->opt->to);
        if (may_be_kong && !det.has_format_version && need && !stopped) {
            int rc = prescan(d, d->err);
            if (rc < 0)
                return rc;
            detect_decide(&d->detect, end_marker, &det);
        }
    }
    /* A file whose collections fit several formats, checked for the product the options name,
     * is read in that product's usual format (a file of consumers alone, --to api7@3.8: ADC). */
    if (det.product == DETECT_UNKNOWN && det.shared_keys && !d->opt->input_flavor)
        detect_from_product(&d->detect, d->opt->product, !end_marker && !d->opt->json_strict, &det);
    /* A product gatehop checks is one it holds knowledge of (the legacy formats: not). */
    bool checked = det.product != DETECT_UNKNOWN && det.product != DETECT_ADC_LEGACY &&
                   det.product != DETECT_KONNECT_LEGACY && det.product != DETECT_KONG_AI;
    d->product = checked ? kb_product_find(d->kb, detect_product_name(det.product)) : NULL;
    /* --from kong@2.8 on an APISIX file: the user and the file disagree; say so, don't guess.
     * Unless the file's product reaches the one named through a tool (ADC for APISIX). */
    if (d->product && d->opt->product && strcmp(d->opt->product, kb_product_name(d->product)) &&
        !(d->backend =
              kb_backend_find(d->product, d->opt->product, &d->backend_since, &d->backend_what)))
        return error_set(d->err, GH_EUSAGE,
                         "the options name %s, but '%s' is %s (%s); pass --input-flavor to "
                         "override",
                         d->opt->product, d->src->name, kb_product_name(d->product), det.reason);
    if (!d->product) {
        fill_info(d, &det, NULL);
        /* An empty file, or one that stopped at a syntax error, has its own finding. */
        if (!(det.product == DETECT_UNKNOWN && stopped))
            report_unsupported(d, &det);
        return 0;
    }
    struct target t;
    const struct version *from = NULL;
    int rc = choose_target(d, &det, &t, &from);
    if (rc < 0)
        return rc;
    if (d->opt->settings_inferred) {
        size_t used = strlen(d->info->note);
        snprintf(d->info->note + used, sizeof(d->info->note) - used, "; %s",
                 d->opt->settings_inferred);
    }
    const struct spec_document *doc;
    if ((rc = kb_compile(d->kb, d->product, &t, &doc, d->err)) < 0)
        return rc;
    fill_info(d, &det, &t);
    d->info->doc = doc;
    d->info->kb_product = d->product;
    if ((rc = plan_rewrites(d, &det, from, &t, doc)) < 0)
        return rc;
    /* The marker as the target sees it: after the hops' rewrites, or the file's own. */
    const char *marker = d->rewriting ? d->plan.final_format : d->info->format_version;
    if ((rc = lane_start(d, &d->main, doc, marker)) < 0)
        return rc;
    d->unchecked_plugins = calloc(doc->nplugins + 1, sizeof(bool));
    if (!d->unchecked_plugins)
        return error_set(d->err, GH_ENOMEM, "out of memory");
    d->main.run.vctx.unchecked_plugins = d->unchecked_plugins;
    start_yaml_typing(d, from);
    d->source = from;
    /* Evidence of the edition and router flavour is gathered even when --from is given. */
    if (!(d->inferring && d->rewriting))
        d->main.run.vctx.evidence = &d->main.evidence;
    if (d->inferring && d->rewriting && (rc = start_probe(d, &t, from)) < 0)
        return rc;
    d->checking = true;
    /* The probe needs only the entries as read: the reader thread, when there is one, walks it
     * while this thread checks (about a sixth of a conversion's work moves over). */
    if (d->probe.active)
        feed_look_ahead(d->feed, probe_look, d);
    return 0;
}

/* ---- top-level keys ---------------------------------------------------------------------- */

static const struct spec_entity *collection_of(const struct lane *l, const struct node *key)
{
    const struct spec_entity *e =
        node_is_string(key) ? spec_entity_find(l->run.doc, key->u.text) : NULL;
    return e && !e->nested_only ? e : NULL;
}

static const struct spec_field *meta_field(struct lane *l, const struct node *key)
{
    const struct spec_record *meta = &l->run.doc->meta;
    const struct spec_field *f =
        node_is_string(key) ? spec_record_field(meta, key->u.text, key->count) : NULL;
    if (f)
        l->meta_seen[f - meta->fields] = true;
    return f;
}

/* The top-level mapping some entity's items take shared configurations from (decK's
 * `_plugin_configs`): kept for the items that come after it. */
static void keep_shared_configs(struct lane *l, const struct node *key, const struct node *value)
{
    struct check_run *run = &l->run;
    const struct spec_document *doc = run->doc;
    for (size_t i = 0; i < doc->nentities && value->kind == NODE_MAPPING; i++) {
        const char *from = doc->entities[i].shared_configs_key;
        if (!from || !node_text_equals(key, from))
            continue;
        if (!(run->shared_configs = node_copy(&run->kept, value)))
            run->failed = true;
        return;
    }
}

static void start_path(struct lane *l, const struct node *key)
{
    path_init(&l->run.path);
    path_push_key(&l->run.path, key->u.text, key->count);
}

static bool misplaced(const struct spec_document *doc, const struct node *key)
{
    const struct node *keys = node_map_get(doc->misplaced_keys, "keys");
    for (uint32_t i = 0; keys && i < keys->count; i++)
        if (node_equal(keys->u.items[i], key))
            return true;
    return false;
}

/* A key the gateway does not read, and so ignores (APISIX): a warning saying where it belongs. */
static void report_ignored_key(struct lane *l, const struct node *key, bool nested_only)
{
    struct check_run *run = &l->run;
    const struct spec_document *doc = run->doc;
    char where[200] = "";
    const char *best = doc->nentities ? str_closest(key->u.text, &doc->entities[0].name,
                                                    doc->nentities, sizeof(doc->entities[0]))
                                      : NULL;
    if (misplaced(doc, key))
        snprintf(where, sizeof(where), "; it belongs in %s",
                 node_map_get(doc->misplaced_keys, "file")->u.text);
    else if (nested_only)
        snprintf(where, sizeof(where), "; its items go inside another list");
    else if (best)
        snprintf(where, sizeof(where), "; did you mean '%s'?", best);
    diag_add(run->sink, R_HOP2015, -1, &key->span, path_text(&run->path), NULL,
             "top-level key '%.80s' is ignored: %s %s does not read it from this file%s",
             key->u.text, doc->product, doc->version_text, where);
}

/* A top-level key that is neither metadata nor a collection of this version. */
static void report_top_unknown(struct lane *l, const struct node *key)
{
    struct check_run *run = &l->run;
    const struct spec_document *doc = run->doc;
    const struct node *list = doc->all_entities;
    for (uint32_t i = 0; list && i < list->count; i++) {
        const struct node *item = list->u.items[i];
        const struct node *v = spec_item_value(item);
        enum rule_id rule;
        char phrase[160], what[120];
        if (!node_equal(v, key) ||
            !cond_explain(item, &doc->target, doc->product, &rule, phrase, sizeof(phrase)))
            continue;
        snprintf(what, sizeof(what), "collection '%.80s'", key->u.text);
        evidence_note(run->vctx.evidence, item, &doc->target, what, &key->span);
        const struct node *instead = node_map_get(item, "replaced_by");
        diag_add(run->sink, rule, -1, &key->span, path_text(&run->path), NULL,
                 "collection '%s' %s, so %s %s does not accept it%s%s%s", key->u.text, phrase,
                 doc->product, doc->version_text, instead ? "; use '" : "",
                 instead ? instead->u.text : "", instead ? "' instead" : "");
        return;
    }
    if (node_map_get(doc->meta.all_fields, key->u.text)) {
        report_unknown_key(&run->vctx, &doc->meta, key, "top-level key");
        return;
    }
    const struct spec_entity *nested = spec_entity_find(doc, key->u.text);
    if (doc->unknown_keys_ignored) {
        report_ignored_key(l, key, nested != NULL);
        return;
    }
    if (nested) { /* nested_only: collection_of() did not take it */
        diag_add(run->sink, R_HOP2001, -1, &key->span, path_text(&run->path), NULL,
                 "'%s' is not a top-level list in %s %s: its items go inside another list",
                 key->u.text, doc->product, doc->version_text);
        return;
    }
    const char *best = doc->nentities ? str_closest(key->u.text, &doc->entities[0].name,
                                                    doc->nentities, sizeof(doc->entities[0]))
                                      : NULL;
    diag_add(run->sink, R_HOP2001, -1, &key->span, path_text(&run->path), NULL,
             "unknown top-level key '%s'%s%s%s", key->u.text, best ? "; did you mean '" : "",
             best ? best : "", best ? "'?" : "");
}

static void top_value(struct lane *l, const struct node *key, const struct node *value)
{
    struct check_run *run = &l->run;
    if (!key) {
        diag_add(run->sink, R_HOP2003, -1, &value->span, "", NULL,
                 "the top level must be a mapping of collections, got %s", node_describe(value));
        return;
    }
    if (!node_is_string(key)) {
        diag_add(run->sink, R_HOP2003, -1, &key->span, "", NULL,
                 "top-level keys must be strings, not %s", node_describe(key));
        return;
    }
    start_path(l, key);
    const struct spec_entity *e = collection_of(l, key);
    const struct spec_field *f = e ? NULL : meta_field(l, key);
    if (e) {
        bool empty = node_is_null(value) || (value->kind == NODE_MAPPING && value->count == 0);
        if (!empty)
            diag_add(run->sink, R_HOP2003, -1, &value->span, path_text(&run->path), NULL,
                     "'%s' must be an array of %s, got %s", e->name, e->name, node_describe(value));
    } else if (f) {
        run->vctx.field = f->name;
        validate_value(&run->vctx, f, value);
        run->vctx.field = NULL;
        keep_shared_configs(l, key, value);
    } else {
        report_top_unknown(l, key);
    }
}

/* The document's plugin_declarations entry for a top-level list, or NULL. */
static const struct node *declaration_of(const struct spec_document *doc, const struct node *key)
{
    const struct node *list = doc->plugin_declarations;
    for (uint32_t i = 0; list && i < list->count; i++)
        if (node_equal(node_map_get(list->u.items[i], "key"), key))
            return list->u.items[i];
    return NULL;
}

static void list_begin(struct lane *l, const struct node *key, const struct node *stand_in)
{
    l->collection = NULL;
    l->list_field = NULL;
    l->list_key = key;
    l->declaration = node_is_string(key) ? declaration_of(l->run.doc, key) : NULL;
    if (!node_is_string(key))
        return;
    start_path(l, key);
    l->collection = collection_of(l, key);
    if (l->collection)
        return;
    const struct spec_field *f = meta_field(l, key);
    if (!f) {
        report_top_unknown(l, key);
    } else if (f->type != FT_ARRAY && f->type != FT_SET && f->type != FT_ANY) {
        diag_add(l->run.sink, R_HOP2003, -1, &stand_in->span, path_text(&l->run.path), NULL,
                 "'%s': expected %s, got a sequence", f->name,
                 f->type == FT_STRING ? "a string" : "a single value");
    } else {
        l->list_field = f;
    }
}

static void list_item(struct lane *l, const struct node *item, size_t index)
{
    struct check_run *run = &l->run;
    if (l->declaration)
        plugin_declare(&run->declared, l->declaration, item);
    if (!l->collection && !l->list_field)
        return;
    arena_reset(&run->scratch);
    start_path(l, l->list_key);
    path_push_index(&run->path, index);
    if (l->collection) {
        check_entity(run, spec_entity_for_item(l->collection, item), item, index, NULL);
    } else if (l->list_field->elements && item) {
        run->vctx.field = l->list_field->name;
        validate_value(&run->vctx, l->list_field->elements, item);
        run->vctx.field = NULL;
    }
}

/* One entry, walked by one lane. */
static void walk(struct lane *l, const struct reader_entry *e, bool placeholder)
{
    /* An entry is checked after it is read, so a placeholder in it has already been seen. */
    l->run.vctx.placeholders = placeholder;
    l->run.vctx.placeholder_kind = l->run.opt->placeholders;
    switch (e->kind) {
    case ENTRY_VALUE:
        top_value(l, e->key, e->value);
        break;
    case ENTRY_LIST_BEGIN:
        list_begin(l, e->key, e->value);
        break;
    case ENTRY_ITEM:
        list_item(l, e->value, e->index);
        break;
    case ENTRY_LIST_END:
        l->collection = NULL;
        l->list_field = NULL;
        l->declaration = NULL;
        break;
    case ENTRY_END:
        break; /* finish() runs once the reader is closed */
    }
}

/* APISIX loads a YAML file only when it ends with its marker; JSON files need none. */
static void check_end_marker(struct driver *d)
{
    const char *marker = kb_end_marker(d->product);
    if (!marker || d->opt->json_strict || source_has_end_marker(d->src))
        return;
    static const struct span start = {1, 1, 1, 1};
    diag_add(d->run->sink, R_HOP1016, -1, &start, "", NULL,
             "the file does not end with '%s': %s refuses to load it (\"missing valid end "
             "flag\"); add '%s' as the last line",
             marker, kb_product_name(d->product), marker);
}

/* APISIX reads conf/apisix.json only from 3.13: before, a JSON file is never loaded. */
static void check_json_supported(struct driver *d)
{
    const struct version *v = &d->run->doc->target.version;
    if (!d->opt->json_strict || kb_reads_json(d->product, v))
        return;
    static const struct span start = {1, 1, 1, 1};
    char version[32];
    version_format(v, version, sizeof(version));
    const char *marker = kb_end_marker(d->product);
    diag_add(d->run->sink, R_HOP2013, -1, &start, "", NULL,
             "%s %s does not load a configuration file in JSON: write it as YAML%s%s",
             kb_product_name(d->product), version, marker ? " ending with " : "",
             marker ? marker : "");
}

/* Plugins whose configuration gatehop met but has no schema for: said once, in the info. */
static void note_unchecked_plugins(struct driver *d)
{
    const struct spec_document *doc = d->run->doc;
    char *out = d->info->unchecked_plugins;
    const size_t size = sizeof(d->info->unchecked_plugins);
    size_t used = 0;
    for (size_t i = 0; i < doc->nplugins; i++) {
        if (!d->unchecked_plugins[i])
            continue;
        size_t need = strlen(doc->plugins[i]) + (used ? 2 : 0);
        if (used + need + sizeof(", ...") > size) {
            snprintf(out + used, size - used, "%s...", used ? ", " : "");
            return;
        }
        used +=
            (size_t)snprintf(out + used, size - used, "%s%s", used ? ", " : "", doc->plugins[i]);
    }
}

/*
 * `- "id": 2` reads as a mapping to libyaml and as the string "id" to tinyyaml: only the
 * file's text shows where the key stands, so a file a tinyyaml release reads is looked at again.
 */
static void tinyyaml_dash_keys(struct driver *d)
{
    if (!yaml_typing_any_tinyyaml(&d->yaml))
        return;
    struct lenient_key *keys;
    size_t n;
    if (reader_dash_quoted_keys(&d->reader, &keys, &n) < 0) {
        d->run->failed = true;
        return;
    }
    yaml_typing_dash_keys(&d->yaml, keys, n);
    free(keys);
}

static void finish(struct driver *d)
{
    struct check_run *run = d->run;
    yaml_typing_finish(&d->yaml, reader_yaml_uses(&d->reader));
    if (reader_incomplete(&d->reader))
        return; /* what is missing may sit after the point where reading stopped */
    tinyyaml_dash_keys(d);
    const struct spec_record *meta = &run->doc->meta;
    static const struct span start = {1, 1, 1, 1};
    if (d->rewriting && d->rw.format_seen && d->plan.format_field)
        meta_field(&d->main, &(struct node){.kind = NODE_SCALAR,
                                            .count = (uint32_t)strlen(d->plan.format_field),
                                            .u.text = d->plan.format_field});
    for (size_t i = 0; i < meta->nfields; i++) {
        const struct spec_field *f = &meta->fields[i];
        if ((f->flags & SF_REQUIRED) && !f->default_value && !d->main.meta_seen[i])
            diag_add(run->sink, R_HOP2002, -1, &start, "", NULL,
                     "required top-level key '%s' is missing", f->name);
    }
    struct across_file *across = d->opt->across;
    if (across && !across_flavor_joins(run->doc->target.flavor))
        across = NULL;
    struct index_unresolved tell = across ? across_listener(across) : (struct index_unresolved){0};
    index_resolve(&run->index, run->sink, run->doc->target.flavor == FLAVOR_DECK,
                  across ? &tell : NULL);
    if (across)
        across_adopt(across, run->doc, &run->index); /* failing, the file stands alone */
    metadata_resolve(&run->metadata, run->doc->merged_files, run->sink);
    plugin_book_resolve(&run->declared, run->sink);
    check_end_marker(d);
    check_json_supported(d);
    note_unchecked_plugins(d);
}

/* The entry as the target release sees it: rewritten by the hops, when there are any. */
static void rewrite(struct driver *d, struct reader_entry *e)
{
    if (!d->rewriting)
        return;
    arena_reset(&d->rw_nodes);
    if (!d->begun && e->key) {
        d->begun = true;
        rw_begin(&d->rw, e->key);
        const struct rw_rule *r = d->plan.insert_format;
        if (r && d->opt->emitter && d->rw.log->nchanges) {
            struct node key = {.kind = NODE_SCALAR};
            key.u.text = r->field;
            key.count = (uint32_t)strlen(r->field);
            d->opt->emitter->entry(d->opt->emitter->ctx, ENTRY_VALUE, &key, r->value);
        }
    }
    if (e->kind == ENTRY_VALUE)
        rw_top_value(&d->rw, &e->key, &e->value);
    else if (e->kind == ENTRY_LIST_BEGIN) {
        const struct node *was = e->key;
        rw_list_key(&d->rw, &e->key);
        /* The key names the list's items to come: it must outlive this entry's nodes. */
        if (e->key != was)
            e->key = node_copy(&d->plan.arena, e->key);
    } else if (e->kind == ENTRY_ITEM && d->main.collection && node_is_string(d->main.list_key))
        e->value = rw_item(&d->rw, spec_entity_for_item(d->main.collection, e->value),
                           d->main.list_key, e->value, e->index);
}

static void process(struct driver *d, const struct reader_entry *entry,
                    const struct feed_entry *seen)
{
    bool placeholder = placeholder_seen(d, seen);
    if (!d->checking)
        return;
    yaml_typing_entry(&d->yaml, entry);
    if (d->probe.active && !seen->looked)
        walk(&d->probe, entry, placeholder);
    struct reader_entry rewritten = *entry;
    const struct reader_entry *e = &rewritten;
    rewrite(d, &rewritten);
    walk(&d->main, e, placeholder);
    if (d->opt->emitter && e->kind != ENTRY_END)
        d->opt->emitter->entry(d->opt->emitter->ctx, e->kind, e->key,
                               e->kind == ENTRY_LIST_BEGIN ? NULL : e->value);
}

/* ---- quoted keys read as tinyyaml reads them --------------------------------------------- */

/* The first hop into a release that reads its file with a library other than tinyyaml. */
static size_t hop_out_of_tinyyaml(const struct driver *d)
{
    for (size_t h = 0; h < d->plan.nhops; h++)
        if (!yaml_lib_is_tinyyaml(kb_yaml_lib(d->product, &d->plan.hops[h].to)))
            return h;
    return 0;
}

/*
 * The file was read with a space after quoted keys that have none (reader_lenient.h).
 * Converting to a release that needs the space writes it; otherwise each is a finding where a
 * release in play does not read it (check_yaml.c), or, for a file gatehop does not check, as
 * libyaml refused it.
 */
static void lenient_keys(struct driver *d)
{
    const struct lenient_plan *plan = d->opt->lenient;
    if (!plan)
        return;
    if (!d->checking) {
        for (size_t i = 0; i < plan->count; i++) {
            const struct lenient_colon *c = &plan->colons[i];
            struct span at = {c->line, c->column, c->line, c->column + 1};
            diag_add(d->run->sink, R_HOP1001, -1, &at, "", NULL,
                     "a ':' right after a quoted key needs a space after it: YAML readers "
                     "other than tinyyaml refuse it");
        }
        return;
    }
    if (!(d->rewriting && d->opt->log && !yaml_lib_is_tinyyaml(d->yaml.lib))) {
        yaml_typing_lenient(&d->yaml, plan);
        return;
    }
    size_t hop = hop_out_of_tinyyaml(d);
    char to[32];
    version_format(&d->plan.hops[hop].to, to, sizeof(to));
    const char *why = arena_printf(&d->rw.log->arena,
                                   "%s %s reads its file with %s, which needs a space after the "
                                   "':' of a key",
                                   d->yaml.product, to,
                                   yaml_lib_name(kb_yaml_lib(d->product, &d->plan.hops[hop].to)));
    rw_spaces_after_colons(&d->rw, hop, plan, why);
}

/* ---- the loop ---------------------------------------------------------------------------- */

/*
 * Keeps entries until detection can decide: a collection's first item (or the end) decides.
 * Returns whether the entry was kept; past the buffer's size, detection decides at once.
 */
static bool hold(struct driver *d, const struct reader_entry *e, bool *decide_now)
{
    if (e->kind == ENTRY_VALUE || e->kind == ENTRY_LIST_BEGIN)
        detect_key(&d->detect, e->key, e->value);
    else if (e->kind == ENTRY_ITEM || e->kind == ENTRY_LIST_END)
        detect_first_item(&d->detect, e->key, e->kind == ENTRY_ITEM ? e->value : NULL);
    *decide_now = e->kind == ENTRY_ITEM || e->kind == ENTRY_LIST_END || e->kind == ENTRY_END;
    if (d->nheld == sizeof(d->held) / sizeof(d->held[0])) {
        *decide_now = true;
        return false;
    }
    d->held[d->nheld++] = *e;
    return true;
}

/* Until detection decides, entries are held; the first item (or the end) decides. */
static int take(struct driver *d, const struct feed_entry *fe)
{
    if (d->decided) {
        process(d, &fe->e, fe);
        return 0;
    }
    bool decide_now;
    bool kept = hold(d, &fe->e, &decide_now);
    if (!decide_now)
        return 0;
    int rc = decide(d, fe->e.kind == ENTRY_END && fe->e.stopped);
    if (rc < 0)
        return rc;
    for (size_t i = 0; i < d->nheld; i++)
        process(d, &d->held[i], fe);
    if (!kept)
        process(d, &fe->e, fe);
    d->nheld = 0;
    return 0;
}

static int run_entries(struct driver *d)
{
    enum reader_entry_kind kind;
    do {
        const struct feed_entry *fe;
        int rc = feed_next(d->feed, &fe, d->err);
        if (rc < 0)
            return rc;
        kind = fe->e.kind;
        if (index_foresee(&d->run->index, fe->read, d->src->size) < 0)
            return error_set(d->err, GH_ENOMEM, "out of memory");
        rc = take(d, fe);
        feed_release(d->feed);
        if (rc < 0)
            return rc;
    } while (kind != ENTRY_END);
    return 0;
}

/*
 * Inputs this large are read by a second thread. GATEHOP_THREAD_MIN_BYTES overrides the
 * default (docs/cli.md); the tests set it to 0 to run every case through the threaded path.
 */
static uint64_t thread_min_bytes(void)
{
    const char *v = getenv("GATEHOP_THREAD_MIN_BYTES");
    char *end;
    unsigned long long n = v && *v ? strtoull(v, &end, 10) : 0;
    return v && *v && *end == '\0' ? (uint64_t)n : FEED_THREAD_MIN_BYTES;
}

/* ---- the release the file was written for ------------------------------------------------- */

/* "kong.yml:12:7" */
static void place(const struct driver *d, const struct span *at, char *out, size_t size)
{
    /* The notes cut what they quote at 100 bytes, and the line and column must survive: a long
     * path gives way to its last part (the note names the whole file already). */
    enum { NAME_MAX_SHOWN = 72 };
    const char *name = d->src->name;
    size_t len = strlen(name);
    if (len > NAME_MAX_SHOWN) {
        const char *slash = strrchr(name, '/');
        name = slash ? slash + 1 : name;
        len = strlen(name);
    }
    const char *cut = len > NAME_MAX_SHOWN ? "..." : "";
    if (len > NAME_MAX_SHOWN) {
        name += len - NAME_MAX_SHOWN;
        while (((unsigned char)*name & 0xC0) == 0x80) /* not inside a UTF-8 character */
            name++;
    }
    snprintf(out, size, "%s%s:%u:%u", cut, name, at->line, at->column);
}

/* The newest release the file may be taken for: --to, and the edition asked for. */
static const struct version *newest_allowed(const struct driver *d, const char **why)
{
    const struct kb_product *p = d->product;
    const struct version *cap = kb_version_at(p, kb_version_count(p) - 1);
    *why = NULL;
    if (d->opt->edition) {
        cap = kb_latest(p, kb_edition_find(p, d->opt->edition));
        *why = "the newest release of the edition asked for";
    }
    const struct version *to =
        version_is_set(&d->opt->to) ? kb_version_match(p, &d->opt->to) : NULL;
    if (to && version_compare(to, cap) < 0) {
        cap = to;
        *why = "the target release";
    }
    return cap;
}

/*
 * After a pass: when what the file uses needs a later release than the one it was checked as,
 * the caller checks it again from there (never past --to, nor past the edition asked for:
 * then the check's own findings say what that release lacks, and the note says why).
 */
static void infer_release(struct driver *d)
{
    const struct lane *l = d->probe.active ? &d->probe : &d->main;
    const struct version_evidence *ev = &l->evidence;
    if (!d->inferring || !ev->newer || !d->assumed)
        return;
    /* An earlier pass inferred the release checked now: what this pass shows may need a
     * later one still (a flavour inferred meanwhile: expression routes beside others). */
    const struct version *now =
        d->opt->inferred ? kb_version_match(d->product, &d->opt->from) : d->assumed;
    const struct version *v = kb_version_match(d->product, &ev->since);
    const char *limit;
    const struct version *cap = newest_allowed(d, &limit);
    /* Added in a release gatehop does not know yet (decK keys for a newer Kong): the file is
     * checked as the newest it may be, and the findings on those keys say so (HOP9001). */
    bool unknown = !v && cap && version_compare(&ev->since, cap) > 0;
    bool capped = unknown || (v && cap && version_compare(v, cap) > 0);
    if (capped) {
        v = cap;
        if (unknown &&
            !version_compare(cap, kb_version_at(d->product, kb_version_count(d->product) - 1)))
            limit = "the newest release gatehop knows";
    }
    char at[200], since[32], text[sizeof(d->info->inferred)];
    place(d, &ev->since_at, at, sizeof(at));
    version_format(&ev->since, since, sizeof(since));
    snprintf(text, sizeof(text), "it uses %s (%.100s), added in %s %s%s%s", ev->since_what, at,
             kb_product_name(d->product), since, capped ? ", later than " : "",
             capped ? limit : "");
    if (v && now && version_compare(v, now) > 0) {
        d->info->recheck = true;
        d->info->recheck_from = *v;
        memcpy(d->info->inferred, text, sizeof(text));
    } else if (capped && !d->opt->inferred) { /* checked as the capped release already */
        size_t used = strlen(d->info->note);
        snprintf(d->info->note + used, sizeof(d->info->note) - used, "; %s", text);
    }
}

/*
 * After a pass: the file uses what exists at its release only in another edition (an
 * Enterprise plugin or collection) or with another router flavour (a route's `expression`),
 * neither of them given: it is written for that one, and the caller checks it again so
 * (check_info.recheck_edition, recheck_router_flavor), as for a later release.
 */
static void infer_settings(struct driver *d)
{
    const struct lane *l = d->probe.active ? &d->probe : &d->main;
    const struct version_evidence *ev = &l->evidence;
    const struct kb_product *p = d->product;
    const struct version *to = &d->run->doc->target.version;
    struct check_info *info = d->info;
    char at[200];
    size_t used = 0;
    if (!d->opt->edition && ev->edition[0] && kb_has_editions(p) && d->source &&
        kb_edition_exists(p, ev->edition, d->source) && kb_edition_exists(p, ev->edition, to)) {
        place(d, &ev->edition_at, at, sizeof(at));
        snprintf(info->recheck_edition, sizeof(info->recheck_edition), "%s", ev->edition);
        used += (size_t)snprintf(info->settings_inferred, sizeof(info->settings_inferred),
                                 "edition %s inferred: it uses %s (%.100s), which only that "
                                 "edition has (use --edition to choose)",
                                 ev->edition, ev->edition_what, at);
    }
    if (!d->opt->router_flavor && ev->router_flavor[0] &&
        kb_router_flavor_find(p, to, ev->router_flavor) && used < sizeof(info->settings_inferred)) {
        place(d, &ev->router_at, at, sizeof(at));
        snprintf(info->recheck_router_flavor, sizeof(info->recheck_router_flavor), "%s",
                 ev->router_flavor);
        snprintf(info->settings_inferred + used, sizeof(info->settings_inferred) - used,
                 "%srouter_flavor %s inferred: it uses %s (%.100s), which only that flavour "
                 "has (use --router-flavor to choose)",
                 used ? "; " : "", ev->router_flavor, ev->router_what, at);
    }
    used = strlen(info->settings_inferred);
    if (!d->opt->input_flavor && ev->flavor[0] && used < sizeof(info->settings_inferred)) {
        place(d, &ev->flavor_at, at, sizeof(at));
        snprintf(info->recheck_input_flavor, sizeof(info->recheck_input_flavor), "%s", ev->flavor);
        snprintf(info->settings_inferred + used, sizeof(info->settings_inferred) - used,
                 "%sread as a decK state file: it uses %s (%.100s), which only decK accepts (use "
                 "--input-flavor to choose)",
                 used ? "; " : "", ev->flavor_what, at);
    }
    used = strlen(info->settings_inferred);
    if (!d->opt->placeholders_given && ev->shell_variables &&
        used < sizeof(info->settings_inferred)) {
        place(d, &ev->shell_variable_at, at, sizeof(at));
        info->recheck_envsubst = true;
        snprintf(info->settings_inferred + used, sizeof(info->settings_inferred) - used,
                 "%sread as an envsubst template: a check refused %s (%.100s), filled in before "
                 "the gateway reads the file (use --placeholders to choose)",
                 used ? "; " : "", ev->shell_variable_what, at);
    }
    if (info->recheck_edition[0] || info->recheck_router_flavor[0] ||
        info->recheck_input_flavor[0] || info->recheck_envsubst)
        info->recheck = true;
}

/* Something the file uses was gone before the release it is checked as: say that no release
 * has both, when the release was inferred from something newer. */
static void note_conflict(struct driver *d)
{
    const struct lane *l = d->probe.active ? &d->probe : &d->main;
    const struct version_evidence *ev = &l->evidence;
    if (!d->opt->inferred || !ev->older)
        return;
    char at[200], until[32];
    place(d, &ev->until_at, at, sizeof(at));
    version_format(&ev->until, until, sizeof(until));
    size_t used = strlen(d->info->note);
    snprintf(d->info->note + used, sizeof(d->info->note) - used,
             "; but it also uses %s (%.100s), gone in %s %s: no release has both", ev->until_what,
             at, kb_product_name(d->product), until);
}

int check_file(struct kb *kb, struct source *src, const struct check_options *opt,
               struct diag_sink *sink, struct check_info *info, gh_error *err)
{
    struct driver *d = calloc(1, sizeof(*d));
    if (!d)
        return error_set(err, GH_ENOMEM, "out of memory");
    memset(info, 0, sizeof(*info));
    if (opt->across)
        across_reset(opt->across); /* what an earlier pass over the file kept */
    d->kb = kb;
    d->src = src;
    d->opt = opt;
    d->info = info;
    d->err = err;
    d->run = &d->main.run;
    arena_init(&d->rw_nodes, 16 * 1024);
    rw_log_init(&d->own_log);
    if (!lane_init(&d->main, opt, sink)) {
        lane_release(&d->main);
        free(d);
        return error_set(err, GH_ENOMEM, "out of memory");
    }
    detect_init(&d->detect);
    struct reader_options ro;
    reader_options_default(&ro);
    ro.limits = opt->limits;
    ro.json_strict = opt->json_strict;
    ro.lenient = opt->lenient;
    ro.lenient_probe = !opt->lenient && !opt->json_strict; /* JSON is not tinyyaml's */
    /* A reader thread writes its findings to a sink of its own, merged when it is done. */
    bool threaded = src->size >= thread_min_bytes();
    struct diag_sink reader_sink;
    diag_sink_init(&reader_sink, sink->max);
    reader_sink.policy = sink->policy;
    int rc = reader_open(&d->reader, src, &ro, threaded ? &reader_sink : sink, err);
    /* About one indexed key per 90 bytes of a typical file; capped so a huge dump starts
     * small and grows as its keys arrive, by what the rest of it promises (index_foresee). */
    size_t guess = (size_t)(src->size / 90);
    if (rc == 0 && index_reserve(&d->run->index, guess < 4000000 ? guess : 4000000) < 0)
        rc = error_set(err, GH_ENOMEM, "out of memory");
    if (rc == 0)
        rc = feed_open(&d->feed, &d->reader, src, threaded, err);
    if (rc == 0)
        rc = run_entries(d);
    feed_close(d->feed);
    if (rc == 0 && d->checking) {
        finish(d);
        infer_release(d);
        infer_settings(d); /* each only when not given nor inferred before */
        note_conflict(d);
    }
    if (rc == 0)
        lenient_keys(d);
    if (rc == 0)
        info->lenient_found = reader_take_lenient(&d->reader);
    diag_merge(sink, &reader_sink);
    diag_sink_release(&reader_sink);
    if (rc == 0 && (d->run->failed || (d->rewriting && d->rw.log->failed)))
        rc = error_set(err, GH_ENOMEM, "out of memory while checking '%s'", src->name);
    const gh_error *late = spec_document_error(d->main.run.doc);
    if (!late)
        late = spec_document_error(d->probe.run.doc);
    if (rc == 0 && late)
        rc = error_set_at(err, late->status, late->file, late->line, late->column, "%s",
                          late->message);
    info->hops_incomplete = reader_incomplete(&d->reader);
    reader_close(&d->reader);
    lane_release(&d->main);
    lane_release(&d->probe);
    arena_release(&d->rw_nodes);
    rw_log_release(&d->own_log);
    rw_plan_release(&d->plan);
    free(d->unchecked_plugins);
    free(d);
    return rc;
}
