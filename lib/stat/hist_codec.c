// SPDX-License-Identifier: MIT
/* stat/hist_codec.c - V2 encode/decode. zlib deflates, OpenSSL's EVP does
 * base64; the varint and header layout are HdrHistogram's (see the Java
 * AbstractHistogram.encodeIntoByteBuffer and ZigZagEncoding). */
#include "stat/hist_codec.h"

#include <errno.h>
#include <inttypes.h>
#include <openssl/evp.h>
#include <string.h>
#include <zlib.h>

#include "core/alloc.h"

#define V2_ENCODING_COOKIE 0x1c849313u
#define V2_COMPRESSED_COOKIE 0x1c849314u
#define COOKIE_BASE(c) ((c) & ~0xf0u)
#define HEADER_BYTES 40
#define COMPRESSED_HEADER_BYTES 8
#define MAX_VARINT_BYTES 9

static void put_be32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

static void put_be64(unsigned char *p, uint64_t v)
{
    put_be32(p, (uint32_t)(v >> 32));
    put_be32(p + 4, (uint32_t)v);
}

static uint32_t get_be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint64_t get_be64(const unsigned char *p)
{
    return (uint64_t)get_be32(p) << 32 | get_be32(p + 4);
}

/* ZigZag LEB128 with HdrHistogram's twist: the 9th byte carries 8 bits. */
static size_t put_varint(unsigned char *p, int64_t signed_value)
{
    uint64_t v = ((uint64_t)signed_value << 1) ^ (signed_value < 0 ? UINT64_MAX : 0);
    size_t n = 0;
    while (n < 8 && v >= 0x80) {
        p[n++] = (unsigned char)(v | 0x80);
        v >>= 7;
    }
    p[n++] = (unsigned char)v;
    return n;
}

/* Returns bytes consumed, 0 when the input ends inside a varint. */
static size_t get_varint(const unsigned char *p, size_t avail, int64_t *out)
{
    uint64_t v = 0;
    size_t n = 0;
    for (;;) {
        if (n >= avail)
            return 0;
        unsigned char b = p[n];
        if (n == 8) {
            v |= (uint64_t)b << 56;
            n++;
            break;
        }
        v |= (uint64_t)(b & 0x7f) << (7 * n);
        n++;
        if (!(b & 0x80))
            break;
    }
    *out = (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
    return n;
}

int hp_hist_encode_raw(const struct hp_hist *h, unsigned char **out, size_t *len)
{
    int limit = h->max_value > 0 ? hp_hist__index(h, h->max_value) + 1 : 1;
    unsigned char *buf = hp_malloc(HEADER_BYTES + (size_t)limit * MAX_VARINT_BYTES);
    size_t n = HEADER_BYTES;
    double ratio = 1.0;
    uint64_t ratio_bits;

    if (!buf)
        return -ENOMEM;
    for (int i = 0; i < limit;) {
        int64_t v = h->counts[i++];
        if (v == 0) {
            int64_t zeros = 1;
            while (i < limit && h->counts[i] == 0) {
                zeros++;
                i++;
            }
            if (zeros > 1) {
                n += put_varint(buf + n, -zeros);
                continue;
            }
        }
        n += put_varint(buf + n, v);
    }
    memcpy(&ratio_bits, &ratio, sizeof ratio_bits);
    put_be32(buf, V2_ENCODING_COOKIE);
    put_be32(buf + 4, (uint32_t)(n - HEADER_BYTES));
    put_be32(buf + 8, 0); /* normalizing index offset */
    put_be32(buf + 12, (uint32_t)h->sigfigs);
    put_be64(buf + 16, (uint64_t)h->lowest);
    put_be64(buf + 24, (uint64_t)h->highest);
    put_be64(buf + 32, ratio_bits);
    *out = buf;
    *len = n;
    return 0;
}

int hp_hist_encode(const struct hp_hist *h, char **out)
{
    unsigned char *raw = NULL, *packed = NULL;
    char *text = NULL;
    size_t raw_len;
    int rc = hp_hist_encode_raw(h, &raw, &raw_len);

    if (rc < 0)
        goto out;
    uLongf zlen = compressBound((uLong)raw_len);
    packed = hp_malloc(COMPRESSED_HEADER_BYTES + zlen);
    if (!packed) {
        rc = -ENOMEM;
        goto out;
    }
    if (compress2(packed + COMPRESSED_HEADER_BYTES, &zlen, raw, (uLong)raw_len,
                  Z_DEFAULT_COMPRESSION) != Z_OK) {
        rc = -EIO;
        goto out;
    }
    put_be32(packed, V2_COMPRESSED_COOKIE);
    put_be32(packed + 4, (uint32_t)zlen);
    size_t total = COMPRESSED_HEADER_BYTES + zlen;
    text = hp_malloc(4 * ((total + 2) / 3) + 1);
    if (!text) {
        rc = -ENOMEM;
        goto out;
    }
    EVP_EncodeBlock((unsigned char *)text, packed, (int)total);
    *out = text;
    text = NULL;
out:
    hp_free(raw);
    hp_free(packed);
    hp_free(text);
    return rc;
}

static int decode_base64(const char *b64, size_t len, unsigned char **out, size_t *out_len,
                         struct hp_err *err)
{
    while (len > 0 && (b64[len - 1] == '\n' || b64[len - 1] == '\r' || b64[len - 1] == ' '))
        len--;
    if (len == 0 || len % 4 != 0)
        return hp_err_set(err, HP_EPARSE,
                          "histogram: base64 text of %zu characters (expected a multiple of 4)",
                          len);
    if (len > HP_HIST_CODEC_MAX_B64)
        return hp_err_set(err, HP_ERANGE, "histogram: encoded text larger than %u bytes",
                          HP_HIST_CODEC_MAX_B64);
    unsigned char *buf = hp_malloc(len / 4 * 3 + 1);
    if (!buf)
        return -ENOMEM;
    int n = EVP_DecodeBlock(buf, (const unsigned char *)b64, (int)len);
    if (n < 0) {
        hp_free(buf);
        return hp_err_set(err, HP_EPARSE, "histogram: invalid base64");
    }
    /* EVP_DecodeBlock counts the padding as zero bytes. */
    if (b64[len - 1] == '=')
        n--;
    if (b64[len - 2] == '=')
        n--;
    *out = buf;
    *out_len = (size_t)n;
    return 0;
}

/* Inflate up to `want` bytes into dst. Returns 1 when the stream ended
 * cleanly, 0 when dst is full, -1 on corrupt or truncated data. */
static int inflate_some(z_stream *zs, unsigned char *dst, size_t want, size_t *got)
{
    int ended = 0;
    zs->next_out = dst;
    zs->avail_out = (uInt)want;
    while (zs->avail_out > 0) {
        int zrc = inflate(zs, Z_NO_FLUSH);
        if (zrc == Z_STREAM_END) {
            ended = 1;
            break;
        }
        if (zrc != Z_OK)
            return -1;
    }
    *got = want - zs->avail_out;
    return ended;
}

static int decode_counts(struct hp_hist *h, const unsigned char *p, size_t len,
                         struct hp_err *err)
{
    int index = 0;
    size_t pos = 0;

    while (pos < len) {
        int64_t v;
        size_t n = get_varint(p + pos, len - pos, &v);
        if (n == 0)
            return hp_err_set(err, HP_EPARSE, "histogram: counts end inside a number");
        pos += n;
        if (v < 0) {
            if (v < -(int64_t)(h->counts_len - index))
                return hp_err_set(err, HP_EPARSE,
                                  "histogram: counts run past the %d buckets of its layout",
                                  h->counts_len);
            index += (int)-v;
            continue;
        }
        if (index >= h->counts_len)
            return hp_err_set(err, HP_EPARSE,
                              "histogram: counts run past the %d buckets of its layout",
                              h->counts_len);
        if (v > 0) {
            if (h->total_count > INT64_MAX - v)
                return hp_err_set(err, HP_ERANGE, "histogram: total count overflows");
            int64_t value = hp_hist_value_at_index(h, index);
            h->counts[index] = v;
            h->total_count += v;
            if (value != 0 && value < h->min_value)
                h->min_value = value;
            if (value > h->max_value)
                h->max_value = value;
        }
        index++;
    }
    return 0;
}

int hp_hist_decode(const char *b64, size_t len, struct hp_hist **out, struct hp_err *err)
{
    unsigned char *bin = NULL, *payload = NULL;
    size_t bin_len = 0, got;
    struct hp_hist *h = NULL;
    z_stream zs;
    bool zs_live = false;
    unsigned char hdr[HEADER_BYTES];
    int rc;

    rc = decode_base64(b64, len, &bin, &bin_len, err);
    if (rc < 0)
        goto out;
    if (bin_len < COMPRESSED_HEADER_BYTES ||
        COOKIE_BASE(get_be32(bin)) != COOKIE_BASE(V2_COMPRESSED_COOKIE)) {
        rc = hp_err_set(err, HP_EFORMAT,
                        "histogram: not an HdrHistogram V2 compressed histogram (expected text "
                        "starting HISTF)");
        goto out;
    }
    uint32_t zlen = get_be32(bin + 4);
    if (zlen > bin_len - COMPRESSED_HEADER_BYTES) {
        rc = hp_err_set(err, HP_EPARSE, "histogram: compressed length %" PRIu32
                        " exceeds the %zu bytes present", zlen, bin_len - COMPRESSED_HEADER_BYTES);
        goto out;
    }
    memset(&zs, 0, sizeof zs);
    if (inflateInit(&zs) != Z_OK) {
        rc = -ENOMEM;
        goto out;
    }
    zs_live = true;
    zs.next_in = bin + COMPRESSED_HEADER_BYTES;
    zs.avail_in = zlen;
    if (inflate_some(&zs, hdr, HEADER_BYTES, &got) < 0 || got != HEADER_BYTES) {
        rc = hp_err_set(err, HP_EPARSE, "histogram: corrupt or truncated compressed data");
        goto out;
    }
    if (COOKIE_BASE(get_be32(hdr)) != COOKIE_BASE(V2_ENCODING_COOKIE)) {
        rc = hp_err_set(err, HP_EFORMAT,
                        "histogram: encoding cookie 0x%08" PRIx32 " (expected V2, 0x1c849303)",
                        get_be32(hdr));
        goto out;
    }
    uint32_t payload_len = get_be32(hdr + 4);
    uint32_t norm_offset = get_be32(hdr + 8);
    int sigfigs = (int)get_be32(hdr + 12);
    int64_t lowest = (int64_t)get_be64(hdr + 16);
    int64_t highest = (int64_t)get_be64(hdr + 24);
    if (norm_offset != 0) {
        rc = hp_err_set(err, HP_EFORMAT, "histogram: normalizing index offset %" PRIu32
                        " (shifted histograms are not supported)", norm_offset);
        goto out;
    }
    rc = hp_hist_new(lowest, highest, sigfigs, &h);
    if (rc < 0) {
        if (rc == -EINVAL)
            rc = hp_err_set(err, HP_EFORMAT,
                            "histogram: invalid layout (lowest %" PRId64 ", highest %" PRId64
                            ", %d significant digits)",
                            lowest, highest, sigfigs);
        goto out;
    }
    if ((size_t)payload_len > (size_t)h->counts_len * MAX_VARINT_BYTES) {
        rc = hp_err_set(err, HP_EPARSE, "histogram: payload of %" PRIu32
                        " bytes is too long for its layout", payload_len);
        goto out;
    }
    payload = hp_malloc(payload_len ? payload_len : 1);
    if (!payload) {
        rc = -ENOMEM;
        goto out;
    }
    /* HdrHistogram_c wrote header + counts as the payload length for a while
     * (its encodings say 49 where 9 bytes follow), so a stream that ends
     * cleanly before payload_len is accepted, as its own readers do. */
    int z = inflate_some(&zs, payload, payload_len, &got);
    if (z < 0 || (z == 0 && got != payload_len)) {
        rc = hp_err_set(err, HP_EPARSE, "histogram: corrupt or truncated compressed data");
        goto out;
    }
    rc = decode_counts(h, payload, got, err);
    if (rc < 0)
        goto out;
    *out = h;
    h = NULL;
out:
    if (zs_live)
        inflateEnd(&zs);
    hp_hist_free(h);
    hp_free(payload);
    hp_free(bin);
    return rc;
}
