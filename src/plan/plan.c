/*
 * Building an upgrade plan from a product's plan.yaml and upgrades.yaml.
 */
#include <string.h>

#include "plan.h"
#include "util/util_buf.h"
#include "util/util_error.h"

/* One hop as the conditions of plan.yaml see it: from release a (exclusive) to b (inclusive),
 * both as the product lists them; a equals b for an upgrade between patch releases. */
struct hop_span {
    const struct version *a, *b;
};

/* What a step's or a note's conditions are tested against. */
struct selection {
    const char *mode, *edition;
    struct hop_span hop;
};

static const char *text_of(const struct node *n)
{
    return n && node_is_string(n) ? n->u.text : NULL;
}

static struct version version_of(const struct node *n)
{
    struct version v;
    version_parse(n->u.text, n->count, &v);
    return v;
}

/* "traditional, decoupled, standalone": what the option may say, for messages. */
static void choice_names(const struct node *choices, char *out, size_t size)
{
    size_t used = 0;
    out[0] = '\0';
    for (uint32_t i = 0; i < choices->count && used < size; i++) {
        const char *v = text_of(node_map_get(choices->u.items[i], "value"));
        int n = snprintf(out + used, size - used, "%s%s", i ? ", " : "", v);
        used += n > 0 ? (size_t)n : 0;
    }
}

/*
 * Resolves --mode against the plan's list of modes: the value asked for, or the list's first
 * entry when none was. A product without the list takes no such option.
 */
static int choose(const struct upgrade_plan *plan, const struct node *choices, const char *option,
                  const char *asked, const struct node **chosen, gh_error *err)
{
    *chosen = NULL;
    if (!choices)
        return asked ? error_set(err, GH_EUSAGE, "%s: %s plans have no %s to choose", option,
                                 plan->display, option + 2)
                     : 0;
    *chosen = asked ? spec_choice_find(choices, asked) : choices->u.items[0];
    if (*chosen)
        return 0;
    char names[256];
    choice_names(choices, names, sizeof(names));
    return error_set(err, GH_EUSAGE, "%s '%s': %s plans know %s", option, asked, plan->display,
                     names);
}

static bool lists(const struct node *names, const char *name)
{
    for (uint32_t i = 0; names && i < names->count; i++)
        if (node_text_equals(names->u.items[i], name))
            return true;
    return false;
}

/* Whether the hop arrives at or passes release v on its way. */
static bool hop_passes(const struct hop_span *h, const struct version *v)
{
    return version_compare(h->a, v) < 0 && version_compare(v, h->b) <= 0;
}

/* Whether a step or note applies to a hop: modes, editions, `hop` (a release the hop passes
 * through), `since` and `until` (the release the hop arrives at). */
static bool applies(const struct node *def, const struct selection *s)
{
    const struct node *modes = node_map_get(def, "modes");
    const struct node *hop = node_map_get(def, "hop");
    const struct node *since = node_map_get(def, "since");
    const struct node *until = node_map_get(def, "until");
    struct version v;
    if ((modes && !lists(modes, s->mode)) || !cond_in_edition(def, s->edition))
        return false;
    if (hop && (v = version_of(hop), !hop_passes(&s->hop, &v)))
        return false;
    if (since && (v = version_of(since), version_compare(s->hop.b, &v) < 0))
        return false;
    return !until || (v = version_of(until), version_compare(s->hop.b, &v) < 0);
}

/* The text with {from}, {to} and {product} filled in, or NULL when out of memory. */
static const char *fill(struct upgrade_plan *plan, const char *text, const char *from,
                        const char *to)
{
    static const char *const names[] = {"{from}", "{to}", "{product}"};
    const char *values[] = {from, to, plan->product};
    struct buf b;
    buf_init(&b, 0);
    int rc = 0;
    for (const char *t = text; *t && rc == 0;) {
        size_t i = 0;
        while (i < 3 && strncmp(t, names[i], strlen(names[i])))
            i++;
        if (i < 3) {
            rc = buf_puts(&b, values[i]);
            t += strlen(names[i]);
        } else {
            rc = buf_putc(&b, *t++);
        }
    }
    const char *out = rc < 0 ? NULL : arena_strdup(&plan->arena, b.len ? buf_cstr(&b) : "");
    buf_release(&b);
    return out;
}

static int add_steps(struct upgrade_plan *plan, struct plan_hop *hop, const struct selection *s)
{
    const struct node *steps = node_map_get(kb_plan(plan->source), "steps");
    if (!steps)
        return 0;
    hop->steps = arena_calloc(&plan->arena, steps->count + 1, sizeof(*hop->steps));
    if (!hop->steps)
        return -1;
    for (uint32_t i = 0; i < steps->count; i++) {
        const struct node *def = steps->u.items[i];
        if (!applies(def, s))
            continue;
        const char *phase = text_of(node_map_get(def, "phase"));
        struct plan_step *step = &hop->steps[hop->nsteps++];
        for (step->phase = 0; strcmp(kb_plan_phases[step->phase], phase); step->phase++)
            ;
        if (!(step->text = fill(plan, text_of(node_map_get(def, "text")), hop->from, hop->to)))
            return -1;
    }
    return 0;
}

/* The rules of upgrades.yaml whose hop lies in this one, one line per reason. */
static int add_changes(struct upgrade_plan *plan, struct plan_hop *hop, const struct hop_span *h)
{
    const struct node *rules = kb_upgrade_rules(plan->source);
    if (!rules)
        return 0;
    hop->changes = arena_calloc(&plan->arena, rules->count + 1, sizeof(*hop->changes));
    if (!hop->changes)
        return -1;
    for (uint32_t i = 0; i < rules->count; i++) {
        const struct node *rule = rules->u.items[i];
        struct version at = version_of(node_map_get(rule, "hop"));
        if (!hop_passes(h, &at) || !cond_in_edition(rule, plan->edition))
            continue;
        const char *why = text_of(node_map_get(rule, "why"));
        const char *code = text_of(node_map_get(rule, "code"));
        size_t k = 0;
        while (k < hop->nchanges &&
               (strcmp(hop->changes[k].why, why) || strcmp(hop->changes[k].code, code)))
            k++;
        if (k == hop->nchanges)
            hop->changes[hop->nchanges++] = (struct plan_change){code, why, 0};
        hop->changes[k].rules++;
    }
    return 0;
}

/* A note belongs to the plan when it applies to any of its hops; it is listed once. */
static int add_notes(struct upgrade_plan *plan, const struct hop_span *spans, struct selection *s)
{
    const struct node *notes = node_map_get(kb_plan(plan->source), "notes");
    if (!notes)
        return 0;
    plan->notes = arena_calloc(&plan->arena, notes->count + 1, sizeof(*plan->notes));
    if (!plan->notes)
        return -1;
    for (uint32_t i = 0; i < notes->count; i++) {
        const struct node *def = notes->u.items[i];
        bool any = false;
        for (size_t h = 0; h < plan->nhops && !any; h++) {
            s->hop = spans[h];
            any = applies(def, s);
        }
        if (!any)
            continue;
        const char *text = fill(plan, text_of(node_map_get(def, "text")), plan->from, plan->to);
        if (!text)
            return -1;
        plan->notes[plan->nnotes++] = text;
    }
    return 0;
}

/* The position of a listed release. */
static size_t index_of(const struct kb_product *p, const struct version *v)
{
    size_t i = 0;
    while (i < kb_version_count(p) && version_compare(kb_version_at(p, i), v) != 0)
        i++;
    return i;
}

/*
 * A jump of plan.yaml from release `at` that does not pass `to` and holds for the edition:
 * the vendor supports going straight from one LTS to the next (Kong 2.8 to 3.4). The longest
 * one wins.
 */
static const struct node *jump_from(const struct upgrade_plan *plan, const struct version *at,
                                    const struct version *to)
{
    const struct node *jumps = node_map_get(kb_plan(plan->source), "jumps");
    const struct node *best = NULL;
    struct version best_to = {0};
    for (uint32_t i = 0; jumps && i < jumps->count; i++) {
        const struct node *j = jumps->u.items[i];
        struct version a = version_of(node_map_get(j, "from"));
        struct version b = version_of(node_map_get(j, "to"));
        if (version_compare(&a, at) != 0 || version_compare(&b, to) > 0 ||
            !cond_in_edition(j, plan->edition))
            continue;
        if (!best || version_compare(&b, &best_to) > 0) {
            best = j;
            best_to = b;
        }
    }
    return best;
}

/* Every listed release after `from` up to `to`, or a jump over some of them; a single hop
 * between two patch releases. */
static int build_hops(struct upgrade_plan *plan, const struct plan_request *req,
                      const struct version *from, const struct version *to, struct hop_span **spans)
{
    const struct kb_product *p = req->product;
    size_t n = kb_version_count(p);
    plan->hops = arena_calloc(&plan->arena, n + 1, sizeof(*plan->hops));
    *spans = arena_calloc(&plan->arena, n + 1, sizeof(**spans));
    if (!plan->hops || !*spans)
        return -1;
    const struct version *prev = from;
    const char *prev_text = plan->from;
    for (size_t i = index_of(p, from) + 1; i < n && version_compare(kb_version_at(p, i), to) <= 0;
         i++) {
        const struct node *jump = jump_from(plan, prev, to);
        const char *as = jump ? text_of(node_map_get(jump, "as")) : NULL;
        if (jump) {
            struct version target = version_of(node_map_get(jump, "to"));
            i = index_of(p, &target);
        }
        const struct version *v = kb_version_at(p, i);
        bool last = version_compare(v, to) == 0;
        const char *text = last ? plan->to : as ? as : kb_version_text(p, i);
        (*spans)[plan->nhops] = (struct hop_span){prev, v};
        plan->hops[plan->nhops++] = (struct plan_hop){.from = prev_text, .to = text};
        prev = v;
        prev_text = text;
    }
    if (plan->nhops == 0) {
        (*spans)[0] = (struct hop_span){from, to};
        plan->hops[plan->nhops++] = (struct plan_hop){.from = plan->from, .to = plan->to};
    }
    return 0;
}

static int check_request(const struct upgrade_plan *plan, const struct plan_request *req,
                         const struct version **from, const struct version **to, gh_error *err)
{
    const struct kb_product *p = req->product;
    if (!kb_plan(p))
        return error_set(err, GH_EUSAGE, "gatehop has no upgrade plans for %s yet", plan->display);
    *from = kb_version_match(p, &req->from);
    *to = kb_version_match(p, &req->to);
    size_t n = kb_version_count(p);
    if (!*from || !*to)
        return error_set(err, GH_EVERSION, "%s %s is not a release gatehop knows (%s to %s)",
                         plan->display, *from ? req->to_text : req->from_text,
                         kb_version_text(p, 0), kb_version_text(p, n - 1));
    if (version_compare(&req->from, &req->to) >= 0)
        return error_set(err, GH_EUSAGE, "--to %s is not later than --from %s: nothing to plan",
                         req->to_text, req->from_text);
    return 0;
}

int upgrade_plan_build(struct upgrade_plan *plan, const struct plan_request *req, gh_error *err)
{
    memset(plan, 0, sizeof(*plan));
    arena_init(&plan->arena, 8 * 1024);
    plan->source = req->product;
    plan->product = kb_product_name(req->product);
    plan->display = kb_product_display(req->product);
    plan->from = req->from_text;
    plan->to = req->to_text;
    const struct version *from = NULL, *to = NULL;
    const struct node *mode = NULL;
    int rc = kb_product_ready(req->product, err);
    if (rc == 0)
        rc = check_request(plan, req, &from, &to, err);
    if (rc < 0 ||
        (rc = choose(plan, node_map_get(kb_plan(req->product), "modes"), "--mode", req->mode, &mode,
                     err)) < 0 ||
        (rc = kb_edition_choose(req->product, req->edition, from, to, &plan->edition, err)) < 0)
        return rc;
    plan->mode = mode ? text_of(node_map_get(mode, "value")) : NULL;
    plan->mode_description = mode ? text_of(node_map_get(mode, "description")) : NULL;
    plan->mode_assumed = mode && !req->mode;
    plan->edition_assumed = plan->edition && !req->edition;
    plan->edition_only =
        plan->edition_assumed && strcmp(plan->edition, kb_usual_edition(req->product)) != 0;
    plan->edition_description =
        plan->edition ? kb_edition_description(req->product, plan->edition) : NULL;
    struct hop_span *spans = NULL;
    struct selection s = {plan->mode, plan->edition, {NULL, NULL}};
    if (build_hops(plan, req, from, to, &spans) < 0)
        return error_set(err, GH_ENOMEM, "out of memory");
    for (size_t h = 0; h < plan->nhops; h++) {
        s.hop = spans[h];
        if (add_steps(plan, &plan->hops[h], &s) < 0 ||
            add_changes(plan, &plan->hops[h], &spans[h]) < 0)
            return error_set(err, GH_ENOMEM, "out of memory");
    }
    return add_notes(plan, spans, &s) < 0 ? error_set(err, GH_ENOMEM, "out of memory") : 0;
}

void upgrade_plan_release(struct upgrade_plan *plan)
{
    arena_release(&plan->arena);
    memset(plan, 0, sizeof(*plan));
}
