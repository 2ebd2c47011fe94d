/* The HTTPS certificate: the one given, or a self-signed one made on first run with GnuTLS and
 * kept in the node's folder, so that its fingerprint stays the one staff compared on the phone. */
#include <errno.h>
#include <fcntl.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/i18n.h"
#include "server_int.h"

#define CERT_NAME "app-cert.pem"
#define KEY_NAME "app-key.pem"

static int read_file(hearth_buf *out, const char *path)
{
	FILE *f = fopen(path, "rb");
	char chunk[4096];
	size_t n;
	int rc = 0;

	hearth_buf_clear(out);
	if (!f)
		return hearth_error_set(errno == ENOENT ? HEARTH_ENOTFOUND : HEARTH_EUSAGE,
			_("cannot read '%s': %s"), path, strerror(errno));
	while (rc == 0 && (n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		rc = out->size + n > 1024 * 1024 ? hearth_error_set(HEARTH_EUSAGE,
							   _("'%s' is too large"), path)
						 : hearth_buf_put(out, chunk, n);
	fclose(f);
	return rc;
}

static int write_file(const char *path, const gnutls_datum_t *d, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, mode);
	ssize_t w;

	if (fd < 0)
		return hearth_error_set(HEARTH_ERROR, _("cannot write '%s': %s"), path,
			strerror(errno));
	w = write(fd, d->data, d->size);
	if (w != (ssize_t)d->size || fsync(fd) != 0) {
		close(fd);
		unlink(path);
		return hearth_error_set(HEARTH_ERROR, _("cannot write '%s': %s"), path,
			strerror(errno));
	}
	close(fd);
	return 0;
}

static int tls_fail(const char *what, int err)
{
	return hearth_error_set(HEARTH_ERROR, "%s: %s", what, gnutls_strerror(err));
}

/* A P-256 key and a certificate for ten years, signed by itself; both as PEM files. */
static int make_cert(const char *cert_path, const char *key_path)
{
	gnutls_x509_privkey_t key = NULL;
	gnutls_x509_crt_t crt = NULL;
	gnutls_datum_t kd = { NULL, 0 }, cd = { NULL, 0 };
	unsigned char serial[16];
	time_t now = time(NULL);
	int err, rc = 0;

	if ((err = gnutls_x509_privkey_init(&key)) < 0 ||
	    (err = gnutls_x509_privkey_generate(key, GNUTLS_PK_ECDSA,
		     GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1), 0)) < 0 ||
	    (err = gnutls_x509_crt_init(&crt)) < 0 ||
	    (err = gnutls_x509_crt_set_key(crt, key)) < 0 ||
	    (err = gnutls_x509_crt_set_version(crt, 3)) < 0 ||
	    (err = gnutls_rnd(GNUTLS_RND_NONCE, serial, sizeof(serial))) < 0 ||
	    ((serial[0] &= 0x7f), (err = gnutls_x509_crt_set_serial(crt, serial, sizeof(serial)))) <
		    0 ||
	    (err = gnutls_x509_crt_set_activation_time(crt, now - 86400)) < 0 ||
	    (err = gnutls_x509_crt_set_expiration_time(crt, now + 10 * 366 * 86400L)) < 0 ||
	    (err = gnutls_x509_crt_set_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME, 0, "hearth",
		     6)) < 0 ||
	    (err = gnutls_x509_crt_set_basic_constraints(crt, 0, -1)) < 0 ||
	    (err = gnutls_x509_crt_set_key_usage(crt, GNUTLS_KEY_DIGITAL_SIGNATURE)) < 0 ||
	    (err = gnutls_x509_crt_set_key_purpose_oid(crt, GNUTLS_KP_TLS_WWW_SERVER, 0)) < 0 ||
	    (err = gnutls_x509_crt_sign2(crt, crt, key, GNUTLS_DIG_SHA256, 0)) < 0 ||
	    (err = gnutls_x509_privkey_export2(key, GNUTLS_X509_FMT_PEM, &kd)) < 0 ||
	    (err = gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_PEM, &cd)) < 0) {
		rc = tls_fail("cannot make the certificate", err);
		goto done;
	}
	if ((rc = write_file(key_path, &kd, 0600)) < 0)
		goto done;
	if ((rc = write_file(cert_path, &cd, 0644)) < 0)
		unlink(key_path);
done:
	gnutls_free(kd.data);
	gnutls_free(cd.data);
	gnutls_x509_crt_deinit(crt);
	gnutls_x509_privkey_deinit(key);
	return rc;
}

static int fingerprint(char fp[96], const hearth_buf *cert)
{
	gnutls_x509_crt_t crt = NULL;
	gnutls_datum_t d = { (unsigned char *)cert->ptr, (unsigned int)cert->size };
	unsigned char md[32];
	size_t n = sizeof(md), i;
	int err;

	if ((err = gnutls_x509_crt_init(&crt)) < 0)
		return tls_fail("cannot read the certificate", err);
	err = gnutls_x509_crt_import(crt, &d, GNUTLS_X509_FMT_PEM);
	if (err >= 0)
		err = gnutls_x509_crt_get_fingerprint(crt, GNUTLS_DIG_SHA256, md, &n);
	gnutls_x509_crt_deinit(crt);
	if (err < 0 || n != sizeof(md))
		return hearth_error_set(HEARTH_EUSAGE, _("the certificate is not a PEM X.509 "
							  "certificate: %s"),
			gnutls_strerror(err));
	for (i = 0; i < n; i++)
		snprintf(fp + 3 * i, 4, i + 1 < n ? "%02X:" : "%02X", md[i]);
	return 0;
}

int app_tls_load(hearth_buf *cert, hearth_buf *key, char fp[96], int *made, const char *dir,
	const char *cert_file, const char *key_file)
{
	hearth_buf cp = HEARTH_BUF_INIT, kp = HEARTH_BUF_INIT;
	int rc;

	*made = 0;
	fp[0] = '\0';
	if (!cert_file) {
		if ((rc = hearth_buf_printf(&cp, "%s/%s", dir, CERT_NAME)) < 0 ||
		    (rc = hearth_buf_printf(&kp, "%s/%s", dir, KEY_NAME)) < 0)
			goto done;
		cert_file = cp.ptr;
		key_file = kp.ptr;
		if (access(cert_file, F_OK) != 0 && access(key_file, F_OK) != 0) {
			if ((rc = make_cert(cert_file, key_file)) < 0)
				goto done;
			*made = 1;
		}
	}
	if ((rc = read_file(cert, cert_file)) < 0 || (rc = read_file(key, key_file)) < 0)
		goto done;
	rc = fingerprint(fp, cert);
done:
	hearth_buf_dispose(&cp);
	hearth_buf_dispose(&kp);
	return rc;
}
