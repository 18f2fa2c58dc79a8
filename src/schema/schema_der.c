/*
 * PEM bodies and the DER inside them, walked without cryptography (schema_der.h). The
 * structures are X.509 (RFC 5280), PKCS#8 (RFC 5208), PKCS#1 (RFC 8017), SEC 1 EC keys
 * (RFC 5915) and SubjectPublicKeyInfo.
 */
#include "schema_der.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
    TAG_BOOLEAN = 0x01,
    TAG_INTEGER = 0x02,
    TAG_BIT_STRING = 0x03,
    TAG_OCTET_STRING = 0x04,
    TAG_OID = 0x06,
    TAG_UTC_TIME = 0x17,
    TAG_GENERALIZED_TIME = 0x18,
    TAG_SEQUENCE = 0x30,
    TAG_VERSION = 0xa0,     /* [0] EXPLICIT, the certificate's version */
    TAG_ISSUER_UID = 0x81,  /* [1] IMPLICIT */
    TAG_SUBJECT_UID = 0x82, /* [2] IMPLICIT */
    TAG_EXTENSIONS = 0xa3   /* [3] EXPLICIT */
};

/* ---- base64 -------------------------------------------------------------------------------- */

int der_base64_value(unsigned char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    return c == '+' ? 62 : c == '/' ? 63 : -1;
}

static bool is_blank(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

uint8_t *der_from_base64(const char *body, size_t len, size_t *out_len, bool *broken)
{
    *broken = false;
    *out_len = 0;
    if (memchr(body, ':', len)) /* headers (Proc-Type, DEK-Info): an encrypted body */
        return NULL;
    uint8_t *out = malloc(len / 4 * 3 + 3);
    if (!out)
        return NULL;
    uint32_t group = 0;
    size_t in_group = 0, pad = 0, n = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)body[i];
        if (is_blank(c))
            continue;
        int v = c == '=' ? 0 : der_base64_value(c);
        if (v < 0 || (c != '=' && pad) || (c == '=' && in_group < 2)) {
            free(out); /* OpenSSL's decoder stops here too, but do not guess its message */
            return NULL;
        }
        pad += c == '=';
        group = group << 6 | (uint32_t)v;
        if (++in_group < 4)
            continue;
        out[n++] = (uint8_t)(group >> 16);
        if (pad < 2)
            out[n++] = (uint8_t)(group >> 8);
        if (pad < 1)
            out[n++] = (uint8_t)group;
        group = 0;
        in_group = 0;
    }
    if (in_group) { /* characters that do not make a last group of four */
        free(out);
        *broken = true;
        return NULL;
    }
    *out_len = n;
    return out;
}

/* ---- tag, length, value ---------------------------------------------------------------------- */

struct tlv {
    uint8_t tag;
    const uint8_t *body;
    size_t len;
    const uint8_t *next;
};

struct walk {
    const uint8_t *start; /* of the whole DER, for offsets in messages */
    char *why;
    size_t why_size;
};

static enum der_verdict broken(struct walk *w, const uint8_t *at, const char *what)
{
    snprintf(w->why, w->why_size, "%s (byte %zu of the DER)", what, (size_t)(at - w->start));
    return DER_BROKEN;
}

/* One element at p, which must lie before end. A long-form length is read as it is written;
 * the indefinite form (BER) and high tag numbers are not followed. */
static enum der_verdict tlv_read(struct walk *w, const uint8_t *p, const uint8_t *end,
                                 struct tlv *t)
{
    if (p >= end)
        return broken(w, p, "an element is missing");
    if ((p[0] & 0x1f) == 0x1f)
        return DER_UNKNOWN;
    if (end - p < 2)
        return broken(w, p, "an element is cut short");
    t->tag = p[0];
    const uint8_t *q = p + 2;
    size_t len = p[1];
    if (len == 0x80)
        return DER_UNKNOWN;
    if (len > 0x80) {
        size_t bytes = len & 0x7f;
        if (bytes > sizeof(size_t) || (size_t)(end - q) < bytes)
            return broken(w, p, "a length runs past the data");
        len = 0;
        for (size_t i = 0; i < bytes; i++)
            len = len << 8 | q[i];
        q += bytes;
    }
    if (len > (size_t)(end - q))
        return broken(w, p, "a length runs past the data");
    t->body = q;
    t->len = len;
    t->next = q + len;
    return DER_OK;
}

/* The next element, which must have the given tag. */
static enum der_verdict expect(struct walk *w, const uint8_t **p, const uint8_t *end, uint8_t tag,
                               const char *what, struct tlv *t)
{
    enum der_verdict v = tlv_read(w, *p, end, t);
    if (v != DER_OK)
        return v;
    if (t->tag != tag) {
        char msg[96];
        snprintf(msg, sizeof(msg), "expected %s", what);
        return broken(w, *p, msg);
    }
    *p = t->next;
    return DER_OK;
}

/* A run of elements of the given tags, in order (a 0 ends the list). */
static enum der_verdict expect_all(struct walk *w, const uint8_t **p, const uint8_t *end,
                                   const uint8_t *tags, const char *what)
{
    struct tlv t;
    for (size_t i = 0; tags[i]; i++) {
        enum der_verdict v = expect(w, p, end, tags[i], what, &t);
        if (v != DER_OK)
            return v;
    }
    return DER_OK;
}

/* ---- times ------------------------------------------------------------------------------------
 */

static bool digits_at(const uint8_t *s, size_t n, int *out)
{
    *out = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        *out = *out * 10 + (s[i] - '0');
    }
    return true;
}

/* Days from 1970-01-01 to a civil date (proleptic Gregorian). */
static long days_from_civil(long y, int m, int d)
{
    y -= m <= 2;
    long era = (y >= 0 ? y : y - 399) / 400;
    long yoe = y - era * 400;
    long doy = (153L * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* UTCTime YYMMDDHHMMSSZ (years 50 to 99 are 19xx) or GeneralizedTime YYYYMMDDHHMMSSZ. */
static bool read_time(const struct tlv *t, time_t *out)
{
    size_t year_digits = t->tag == TAG_UTC_TIME ? 2 : 4;
    if (t->len != year_digits + 11 || t->body[t->len - 1] != 'Z')
        return false;
    int year, month, day, hour, minute, second;
    const uint8_t *s = t->body;
    if (!digits_at(s, year_digits, &year) || !digits_at(s + year_digits, 2, &month) ||
        !digits_at(s + year_digits + 2, 2, &day) || !digits_at(s + year_digits + 4, 2, &hour) ||
        !digits_at(s + year_digits + 6, 2, &minute) || !digits_at(s + year_digits + 8, 2, &second))
        return false;
    if (year_digits == 2)
        year += year >= 50 ? 1900 : 2000;
    if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60)
        return false;
    *out =
        (time_t)(days_from_civil(year, month, day) * 86400L + hour * 3600L + minute * 60L + second);
    return true;
}

/* ---- certificates -----------------------------------------------------------------------------
 */

static const uint8_t oid_basic_constraints[] = {0x55, 0x1d, 0x13};

/* basicConstraints ::= SEQUENCE { cA BOOLEAN DEFAULT FALSE, pathLenConstraint INTEGER OPTIONAL } */
static void read_basic_constraints(struct walk *w, const struct tlv *value,
                                   struct der_certificate *out)
{
    struct tlv seq, first;
    const uint8_t *p = value->body;
    if (tlv_read(w, p, value->body + value->len, &seq) != DER_OK || seq.tag != TAG_SEQUENCE)
        return;
    if (seq.len && tlv_read(w, seq.body, seq.next, &first) == DER_OK && first.tag == TAG_BOOLEAN &&
        first.len == 1)
        out->is_ca = first.body[0] != 0;
}

/* [3] { SEQUENCE OF Extension ::= SEQUENCE { extnID OID, critical BOOLEAN OPTIONAL,
 * extnValue OCTET STRING } } */
static enum der_verdict read_extensions(struct walk *w, const struct tlv *wrapper,
                                        struct der_certificate *out)
{
    struct tlv list, ext, oid, value;
    const uint8_t *p = wrapper->body, *end = wrapper->body + wrapper->len;
    enum der_verdict v = expect(w, &p, end, TAG_SEQUENCE, "the extensions", &list);
    for (const uint8_t *e = list.body; v == DER_OK && e < list.next;) {
        if ((v = expect(w, &e, list.next, TAG_SEQUENCE, "an extension", &ext)) != DER_OK)
            break;
        const uint8_t *q = ext.body;
        if ((v = expect(w, &q, ext.next, TAG_OID, "an extension's OID", &oid)) != DER_OK)
            break;
        struct tlv critical;
        if (q < ext.next && tlv_read(w, q, ext.next, &critical) == DER_OK &&
            critical.tag == TAG_BOOLEAN)
            q = critical.next;
        if ((v = expect(w, &q, ext.next, TAG_OCTET_STRING, "an extension's value", &value)) !=
            DER_OK)
            break;
        if (oid.len == sizeof(oid_basic_constraints) &&
            !memcmp(oid.body, oid_basic_constraints, oid.len))
            read_basic_constraints(w, &value, out);
    }
    return v;
}

static enum der_verdict read_validity(struct walk *w, const struct tlv *validity,
                                      struct der_certificate *out)
{
    struct tlv not_before, not_after;
    const uint8_t *p = validity->body, *end = validity->next;
    enum der_verdict v = tlv_read(w, p, end, &not_before);
    if (v == DER_OK && not_before.tag != TAG_UTC_TIME && not_before.tag != TAG_GENERALIZED_TIME)
        return broken(w, p, "expected the validity's start time");
    if (v == DER_OK)
        v = tlv_read(w, not_before.next, end, &not_after);
    if (v == DER_OK && not_after.tag != TAG_UTC_TIME && not_after.tag != TAG_GENERALIZED_TIME)
        return broken(w, not_before.next, "expected the validity's end time");
    if (v == DER_OK)
        out->has_not_after = read_time(&not_after, &out->not_after);
    return v;
}

/* SubjectPublicKeyInfo ::= SEQUENCE { algorithm SEQUENCE { OID, parameters }, BIT STRING } */
static enum der_verdict read_spki(struct walk *w, const struct tlv *spki, uint8_t *oid_out,
                                  size_t *oid_len)
{
    struct tlv alg, oid, bits;
    const uint8_t *p = spki->body;
    enum der_verdict v = expect(w, &p, spki->next, TAG_SEQUENCE, "the key's algorithm", &alg);
    const uint8_t *q = alg.body;
    if (v == DER_OK)
        v = expect(w, &q, alg.next, TAG_OID, "the key algorithm's OID", &oid);
    if (v == DER_OK)
        v = expect(w, &p, spki->next, TAG_BIT_STRING, "the public key's bits", &bits);
    if (v == DER_OK && oid_out && oid.len <= 32) {
        memcpy(oid_out, oid.body, oid.len);
        *oid_len = oid.len;
    }
    return v;
}

/* TBSCertificate ::= SEQUENCE { [0] version OPTIONAL, serialNumber, signature, issuer,
 * validity, subject, subjectPublicKeyInfo, [1], [2], [3] extensions OPTIONAL } */
static enum der_verdict read_tbs(struct walk *w, const struct tlv *tbs, struct der_certificate *out)
{
    struct tlv t, validity, spki;
    const uint8_t *p = tbs->body, *end = tbs->next;
    enum der_verdict v = tlv_read(w, p, end, &t);
    if (v == DER_OK && t.tag == TAG_VERSION)
        p = t.next;
    static const uint8_t head[] = {TAG_INTEGER, TAG_SEQUENCE, TAG_SEQUENCE, 0};
    if (v == DER_OK)
        v = expect_all(w, &p, end, head, "the serial number, signature algorithm and issuer");
    if (v == DER_OK)
        v = expect(w, &p, end, TAG_SEQUENCE, "the validity", &validity);
    if (v == DER_OK)
        v = read_validity(w, &validity, out);
    if (v == DER_OK)
        v = expect(w, &p, end, TAG_SEQUENCE, "the subject", &t);
    if (v == DER_OK)
        v = expect(w, &p, end, TAG_SEQUENCE, "the subject's public key", &spki);
    if (v == DER_OK)
        v = read_spki(w, &spki, out->key_oid, &out->key_oid_len);
    while (v == DER_OK && p < end) {
        if ((v = tlv_read(w, p, end, &t)) != DER_OK)
            break;
        if (t.tag == TAG_EXTENSIONS)
            v = read_extensions(w, &t, out);
        else if (t.tag != TAG_ISSUER_UID && t.tag != TAG_SUBJECT_UID)
            return broken(w, p, "an unexpected element after the public key");
        p = t.next;
    }
    return v;
}

enum der_verdict der_read_certificate(const uint8_t *der, size_t len, struct der_certificate *out,
                                      char *why, size_t why_size)
{
    struct walk w = {der, why, why_size};
    struct tlv cert, tbs, t;
    memset(out, 0, sizeof(*out));
    const uint8_t *p = der, *end = der + len;
    enum der_verdict v = expect(&w, &p, end, TAG_SEQUENCE, "a certificate (a SEQUENCE)", &cert);
    const uint8_t *q = cert.body;
    if (v == DER_OK)
        v = expect(&w, &q, cert.next, TAG_SEQUENCE, "the certificate's body", &tbs);
    if (v == DER_OK)
        v = expect(&w, &q, cert.next, TAG_SEQUENCE, "the signature algorithm", &t);
    if (v == DER_OK)
        v = expect(&w, &q, cert.next, TAG_BIT_STRING, "the signature", &t);
    if (v == DER_OK)
        v = read_tbs(&w, &tbs, out);
    return v;
}

/* ---- keys --------------------------------------------------------------------------------------
 */

static bool label_is(const char *label, size_t len, const char *want)
{
    return strlen(want) == len && !memcmp(label, want, len);
}

enum der_verdict der_read_key(const char *label, size_t label_len, const uint8_t *der, size_t len,
                              char *why, size_t why_size)
{
    static const uint8_t pkcs8[] = {TAG_INTEGER, TAG_SEQUENCE, TAG_OCTET_STRING, 0};
    static const uint8_t pkcs1_public[] = {TAG_INTEGER, TAG_INTEGER, 0};
    static const uint8_t pkcs1_private[] = {
        TAG_INTEGER, TAG_INTEGER, TAG_INTEGER, TAG_INTEGER, TAG_INTEGER,
        TAG_INTEGER, TAG_INTEGER, TAG_INTEGER, TAG_INTEGER, 0};
    static const uint8_t ec_private[] = {TAG_INTEGER, TAG_OCTET_STRING, 0};
    static const struct {
        const char *label;
        const uint8_t *shape;
        const char *what;
    } kinds[] = {
        {"PRIVATE KEY", pkcs8, "a PKCS#8 private key (version, algorithm, key)"},
        {"RSA PRIVATE KEY", pkcs1_private, "an RSA private key (nine integers)"},
        {"EC PRIVATE KEY", ec_private, "an EC private key (version, key)"},
        {"RSA PUBLIC KEY", pkcs1_public, "an RSA public key (modulus, exponent)"},
    };
    struct walk w = {der, why, why_size};
    struct tlv outer;
    const uint8_t *p = der, *end = der + len;
    enum der_verdict v = expect(&w, &p, end, TAG_SEQUENCE, "a key (a SEQUENCE)", &outer);
    if (v != DER_OK)
        return v;
    if (label_is(label, label_len, "PUBLIC KEY"))
        return read_spki(&w, &outer, NULL, NULL);
    for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
        if (label_is(label, label_len, kinds[i].label)) {
            const uint8_t *q = outer.body;
            return expect_all(&w, &q, outer.next, kinds[i].shape, kinds[i].what);
        }
    return DER_UNKNOWN; /* another kind (DSA, encrypted PKCS#8): its outer SEQUENCE is fine */
}
