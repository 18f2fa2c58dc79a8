/* Unit tests for src/diag: the compact list of secret values' places (diag_secrets), and the
 * questions the report and the rulesets ask of it, held to a plain array of spans. */
#include <stdint.h>
#include <stdlib.h>

#include "diag/diag.h"
#include "diag/diag_secrets.h"
#include "report/report.h"
#include "tap.h"

static uint64_t rng = 0x2545f4914f6cdd1dull;

static uint32_t next_random(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng >> 16);
}

static bool same_span(const struct span *a, const struct span *b)
{
    return a->line == b->line && a->column == b->column && a->end_line == b->end_line &&
           a->end_column == b->end_column;
}

/* Scalars one after another, as a document gives them: mostly a line or a few apart, some on
 * the same line (flow style), some over several lines (block scalars), some far apart. */
static size_t make_spans(struct span *out, size_t n)
{
    uint32_t line = 1 + next_random() % 5, column = 1;
    for (size_t i = 0; i < n; i++) {
        uint32_t r = next_random() % 16;
        if (r < 10) {
            line += 1 + next_random() % 30;
            column = 1 + next_random() % 40;
        } else if (r < 13) {
            column += 2 + next_random() % 20; /* after the previous one, on its line */
        } else if (r < 15) {
            line += next_random() % 100000;
            column = 1 + next_random() % 70000;
        } else {
            line += 1;
            column = 1;
        }
        struct span *s = &out[i];
        s->line = line;
        s->column = column;
        if (next_random() % 8 == 0) { /* a block scalar */
            s->end_line = line + 1 + next_random() % 5;
            s->end_column = next_random() % 200;
            line = s->end_line;
            column = s->end_column + 1;
        } else {
            s->end_line = line;
            s->end_column = column + next_random() % 60;
            column = s->end_column + 1;
        }
    }
    return n;
}

static void test_round_trip(void)
{
    enum { N = 5000 };
    static struct span spans[N];
    make_spans(spans, N);
    /* the far ends of every field */
    spans[N - 2] = (struct span){UINT32_MAX, UINT32_MAX, UINT32_MAX, UINT32_MAX};
    spans[N - 1] = (struct span){0, 0, 0, 0};
    struct secret_spans s;
    secret_spans_init(&s);
    int rc = 0;
    for (size_t i = 0; i < N; i++)
        rc |= secret_spans_add(&s, &spans[i]);
    is_int(rc, 0, "5,000 spans are added");
    is_int(s.count, N, "and counted");
    ok(s.len < N * 5, "in fewer than 5 bytes each (%zu bytes)", s.len);
    struct secret_cursor c = secret_spans_first(&s);
    struct span got;
    size_t same = 0, read = 0;
    while (secret_cursor_next(&c, &got))
        same += same_span(&got, &spans[read++]);
    is_int(read, N, "every span is read back");
    is_int(same, N, "each as it was written, the far ends of every field too");
    ok(!secret_spans_sorted(&s),
       "a span before the one written before it leaves the list unsorted");
    secret_spans_release(&s);
}

static int compare_starts(const void *a, const void *b)
{
    const struct span *x = a, *y = b;
    return position_compare(x->line, x->column, y->line, y->column);
}

/* The index of the first span that ends at or after line:column, by reading them all. */
static size_t first_ending_from(const struct span *spans, size_t n, uint32_t line, uint32_t column)
{
    size_t i = 0;
    while (i < n && position_compare(spans[i].end_line, spans[i].end_column, line, column) < 0)
        i++;
    return i;
}

static void test_sort_and_seek(void)
{
    enum { N = 3000 };
    static struct span spans[N], shuffled[N];
    make_spans(spans, N);
    for (size_t i = 0; i < N; i++)
        shuffled[i] = spans[i];
    for (size_t i = N - 1; i > 0; i--) {
        size_t j = next_random() % (i + 1);
        struct span t = shuffled[i];
        shuffled[i] = shuffled[j];
        shuffled[j] = t;
    }
    struct secret_spans s;
    secret_spans_init(&s);
    for (size_t i = 0; i < N; i++)
        secret_spans_add(&s, &shuffled[i]);
    is_int(secret_spans_sort(&s), 0, "a shuffled list sorts");
    ok(secret_spans_sorted(&s), "and is then in order");
    qsort(spans, N, sizeof(spans[0]), compare_starts);
    struct secret_cursor c = secret_spans_first(&s);
    struct span got;
    size_t same = 0;
    for (size_t i = 0; secret_cursor_next(&c, &got); i++)
        same += same_span(&got, &spans[i]);
    is_int(same, N, "in start order");
    size_t agree = 0, tries = 2000;
    for (size_t t = 0; t < tries; t++) {
        const struct span *near = &spans[next_random() % N];
        uint32_t line = near->line + next_random() % 3 - 1;
        uint32_t column = next_random() % 4 ? near->column + next_random() % 5 - 2 : 0;
        size_t want = first_ending_from(spans, N, line, column);
        c = secret_spans_seek(&s, line, column);
        bool has = secret_cursor_next(&c, &got);
        agree += want == N ? !has : has && same_span(&got, &spans[want]);
    }
    is_int(agree, tries, "seek finds the first span ending at or after a place, as a scan does");
    c = secret_spans_seek(&s, 0, 0);
    ok(secret_cursor_next(&c, &got) && same_span(&got, &spans[0]), "before all: the first");
    c = secret_spans_seek(&s, UINT32_MAX, UINT32_MAX);
    ok(!secret_cursor_next(&c, &got) || got.end_line == UINT32_MAX, "after all: none");
    secret_spans_release(&s);
}

/* What a ruleset's message asks: whether a secret lies within a span, against a scan. */
static void test_holds_secret(void)
{
    enum { N = 2000 };
    static struct span spans[N];
    make_spans(spans, N);
    struct diag_sink sink;
    diag_sink_init(&sink, 0);
    for (size_t i = N; i-- > 0;) /* backwards: diag_sort must put them in order */
        diag_add_secret_span(&sink, &spans[i]);
    diag_sort(&sink);
    size_t agree = 0, tries = 3000, held = 0;
    for (size_t t = 0; t < tries; t++) {
        const struct span *s = &spans[next_random() % N];
        struct span q = {s->line, s->column + next_random() % 7 - 3, s->end_line,
                         s->end_column + next_random() % 7 - 3};
        if (next_random() % 4 == 0)
            q.end_column = q.column; /* an empty span holds nothing */
        bool want = false;
        for (size_t i = 0; i < N && !want; i++)
            want = position_compare(spans[i].end_line, spans[i].end_column, q.line, q.column) > 0 &&
                   position_compare(spans[i].line, spans[i].column, q.end_line, q.end_column) < 0;
        held += want;
        agree += diag_span_holds_secret(&sink, &q) == want;
    }
    is_int(agree, tries, "diag_span_holds_secret answers as a scan does");
    ok(held > tries / 4 && held < tries, "with both answers among the tries (%zu held)", held);
    diag_sink_release(&sink);
}

/* What an excerpt asks: the secrets on its line are masked, and only they. */
static void test_mask_line(void)
{
    struct diag_sink sink;
    diag_sink_init(&sink, 0);
    diag_add_secret_span(&sink, &(struct span){7, 17, 7, 23}); /* on line 7 */
    diag_add_secret_span(&sink, &(struct span){3, 5, 3, 9});   /* before it, given later */
    diag_add_secret_span(&sink, &(struct span){9, 4, 11, 3});  /* over lines 9 to 11 */
    diag_add_secret_span(&sink, &(struct span){7, 28, 7, 31}); /* a second on line 7 */
    diag_sort(&sink);
    char line7[] = "{user: bob, pw: secret, k: abc}";
    report_mask_line(&sink, 7, line7, sizeof(line7) - 1);
    ok(!strstr(line7, "secret") && !strstr(line7, "abc"), "both secrets of line 7 are masked");
    ok(strstr(line7, "user: bob") != NULL, "and nothing else (%s)", line7);
    char line10[] = "  inside a block";
    report_mask_line(&sink, 10, line10, sizeof(line10) - 1);
    ok(!strstr(line10, "inside"), "a line within a multi-line secret is masked whole");
    char line8[] = "  name: plain";
    report_mask_line(&sink, 8, line8, sizeof(line8) - 1);
    is_str(line8, "  name: plain", "a line without a secret is left");
    diag_sink_release(&sink);
}

int main(void)
{
    test_round_trip();
    test_sort_and_seek();
    test_holds_secret();
    test_mask_line();
    return done();
}
