/*
 * The structure of PEM-armoured DER (certificates and keys), read without cryptography: the
 * base64 body decoded, the ASN.1 walked far enough to say whether OpenSSL could load it at all,
 * and the few facts gateways check about a certificate (its validity end, whether it is a CA,
 * the type of its public key).
 *
 * Verdicts are three-way on purpose: DER_BROKEN only when OpenSSL would certainly refuse the
 * bytes (a length running past the data, a missing element, a wrong tag); whatever this reader
 * does not follow (indefinite lengths, encrypted bodies) is DER_UNKNOWN, never an error.
 *
 * Invariants: no allocation survives a call but the decoded buffer handed to the caller;
 * recursion is bounded by the depth of the structures walked (a few levels).
 */
#ifndef SCHEMA_DER_H
#define SCHEMA_DER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

enum der_verdict { DER_OK, DER_BROKEN, DER_UNKNOWN };

/* What a certificate says that gateways check. */
struct der_certificate {
    bool has_not_after;
    time_t not_after;    /* seconds since the epoch, UTC */
    bool is_ca;          /* a basicConstraints extension with cA true */
    uint8_t key_oid[32]; /* the public key's algorithm (its OID's content bytes) */
    size_t key_oid_len;
};

/* The value of a character of the standard base64 alphabet, -1 for any other. */
int der_base64_value(unsigned char c);

/*
 * Decodes a PEM body (base64 with line breaks). Returns a malloc'd buffer (the caller frees)
 * and its length, or NULL when the body has headers (an encrypted key), characters outside
 * base64, or misplaced padding; *broken says whether OpenSSL would refuse it for that.
 */
uint8_t *der_from_base64(const char *body, size_t len, size_t *out_len, bool *broken);

/* An X.509 certificate; on DER_BROKEN, why says where. */
enum der_verdict der_read_certificate(const uint8_t *der, size_t len, struct der_certificate *out,
                                      char *why, size_t why_size);

/* A key of the kind its PEM label names (PRIVATE KEY, RSA PRIVATE KEY, EC PRIVATE KEY, PUBLIC
 * KEY, RSA PUBLIC KEY, ...). */
enum der_verdict der_read_key(const char *label, size_t label_len, const uint8_t *der, size_t len,
                              char *why, size_t why_size);

#endif
