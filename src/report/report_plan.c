/*
 * Writing an upgrade plan: text for people (numbered steps under their phase, long lines
 * wrapped) and JSON for scripts ({"version": 1, "plan": {...}}, docs/cli.md).
 */
#include <jansson.h>
#include <string.h>

#include "report.h"

enum { WRAP_WIDTH = 100 };

/* Phase names as the text report heads them. */
static const char *const phase_titles[KB_PLAN_PHASE_COUNT] = {"Prepare", "Control plane",
                                                              "Data plane", "Upgrade", "Verify"};

/* Writes text on a line whose first `col` columns are already written, wrapping at spaces;
 * continuation lines start at column `hang`. A word longer than a line is written whole. */
static void wrap(FILE *out, size_t col, size_t hang, const char *text)
{
    bool line_start = true;
    for (const char *p = text; *p;) {
        size_t len = strcspn(p, " ");
        if (!line_start && col + 1 + len > WRAP_WIDTH) {
            fprintf(out, "\n%*s", (int)hang, "");
            col = hang;
            line_start = true;
        }
        if (!line_start) {
            fputc(' ', out);
            col++;
        }
        fwrite(p, 1, len, out);
        col += len;
        line_start = false;
        p += len;
        p += strspn(p, " ");
    }
    fputc('\n', out);
}

/* "  - text", wrapped under its first word. */
static void bullet(FILE *out, size_t indent, const char *text)
{
    fprintf(out, "%*s- ", (int)indent, "");
    wrap(out, indent + 2, indent + 2, text);
}

static void text_heading(FILE *out, const struct upgrade_plan *plan)
{
    char line[512];
    snprintf(line, sizeof(line), "Upgrade plan: %s %s -> %s", plan->display, plan->from, plan->to);
    wrap(out, 0, 2, line);
    if (plan->mode) {
        snprintf(line, sizeof(line), "Mode: %s, %s%s", plan->mode, plan->mode_description,
                 plan->mode_assumed ? " (the default; --mode chooses another)" : "");
        wrap(out, 0, 2, line);
    }
    if (plan->edition) {
        snprintf(line, sizeof(line), "Edition: %s, %s%s", plan->edition, plan->edition_description,
                 plan->edition_only      ? " (the only edition with both releases)"
                 : plan->edition_assumed ? " (the default; --edition chooses another)"
                                         : "");
        wrap(out, 0, 2, line);
    }
    fprintf(out, "Hops: %s", plan->hops[0].from);
    for (size_t h = 0; h < plan->nhops; h++)
        fprintf(out, " -> %s", plan->hops[h].to);
    fputc('\n', out);
    if (plan->nnotes)
        fputs("\nNotes:\n", out);
    for (size_t i = 0; i < plan->nnotes; i++)
        bullet(out, 2, plan->notes[i]);
}

static void text_hop(FILE *out, const struct upgrade_plan *plan, size_t h)
{
    const struct plan_hop *hop = &plan->hops[h];
    fprintf(out, "\nHop %zu of %zu: %s -> %s\n", h + 1, plan->nhops, hop->from, hop->to);
    int phase = -1;
    for (size_t i = 0; i < hop->nsteps; i++) {
        if (hop->steps[i].phase != phase) {
            phase = hop->steps[i].phase;
            fprintf(out, "  %s\n", phase_titles[phase]);
        }
        fprintf(out, "  %3zu. ", i + 1);
        wrap(out, 7, 7, hop->steps[i].text);
    }
    if (!hop->nchanges)
        return;
    char line[256];
    snprintf(line, sizeof(line),
             "Configuration changes on this hop (gatehop lint --to %s@%s FILE finds them):",
             plan->product, hop->to);
    fputs("  ", out);
    wrap(out, 2, 4, line);
    for (size_t i = 0; i < hop->nchanges; i++) {
        const struct plan_change *c = &hop->changes[i];
        char item[1024];
        if (c->rules > 1)
            snprintf(item, sizeof(item), "%s [%s, %zu rules]", c->why, c->code, c->rules);
        else
            snprintf(item, sizeof(item), "%s [%s]", c->why, c->code);
        bullet(out, 4, item);
    }
}

static int plan_text(FILE *out, const struct upgrade_plan *plan)
{
    text_heading(out, plan);
    for (size_t h = 0; h < plan->nhops; h++)
        text_hop(out, plan, h);
    return ferror(out) ? -1 : 0;
}

static json_t *string_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

static json_t *hop_json(const struct plan_hop *hop)
{
    json_t *steps = json_array(), *changes = json_array();
    for (size_t i = 0; steps && i < hop->nsteps; i++)
        json_array_append_new(steps,
                              json_pack("{s:s, s:s}", "phase", kb_plan_phases[hop->steps[i].phase],
                                        "text", hop->steps[i].text));
    for (size_t i = 0; changes && i < hop->nchanges; i++)
        json_array_append_new(changes, json_pack("{s:s, s:s, s:I}", "code", hop->changes[i].code,
                                                 "why", hop->changes[i].why, "rules",
                                                 (json_int_t)hop->changes[i].rules));
    return json_pack("{s:s, s:s, s:o, s:o}", "from", hop->from, "to", hop->to, "steps", steps,
                     "changes", changes);
}

static int plan_json(FILE *out, const struct upgrade_plan *plan)
{
    json_t *notes = json_array(), *hops = json_array();
    for (size_t i = 0; notes && i < plan->nnotes; i++)
        json_array_append_new(notes, json_string(plan->notes[i]));
    for (size_t h = 0; hops && h < plan->nhops; h++)
        json_array_append_new(hops, hop_json(&plan->hops[h]));
    json_t *body = json_pack(
        "{s:s, s:s, s:s, s:s, s:o, s:b, s:o, s:b, s:o, s:o}", "product", plan->product, "name",
        plan->display, "from", plan->from, "to", plan->to, "mode", string_or_null(plan->mode),
        "mode_assumed", plan->mode_assumed, "edition", string_or_null(plan->edition),
        "edition_assumed", plan->edition_assumed, "notes", notes, "hops", hops);
    json_t *root = json_pack("{s:i, s:{s:s, s:s}, s:o}", "version", 1, "tool", "name", "gatehop",
                             "version", GATEHOP_VERSION, "plan", body);
    int rc = root ? json_dumpf(root, out, JSON_INDENT(2)) : -1;
    json_decref(root);
    if (rc == 0)
        fputc('\n', out);
    return rc < 0 || ferror(out) ? -1 : 0;
}

int report_plan_write(FILE *out, enum gh_format format, const struct upgrade_plan *plan)
{
    return format == GH_FORMAT_JSON ? plan_json(out, plan) : plan_text(out, plan);
}
