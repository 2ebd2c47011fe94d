/*
 * hearth app: the node's own web application (`hearth serve`), and the accounts that may sign in
 * to it. Above core, sync and site-gen; the CLI only starts it. The conventions of core/hearth.h
 * hold: int results (0 or a negative HEARTH_E*), the message in hearth_error_last(), nothing
 * printed (the server hands its log lines to a callback).
 */
#ifndef HEARTH_APP_H
#define HEARTH_APP_H

#include "core/hearth.h"

/* ---- accounts (app/auth.c): local to the node, never recorded, never synced --------------- */

#define HEARTH_APP_PASSWORD_MIN 8 /* characters (bytes of UTF-8 count per character) */

/** 1 if `role` is one of admin, staff, volunteer, viewer. */
int hearth_app_role_valid(const char *role);

/** Add an account: `name` (1-64 bytes: letters, digits, '.', '_', '-', or any non-ASCII
 * character), `role`, and a password of at least HEARTH_APP_PASSWORD_MIN characters, kept as
 * an Argon2id hash. HEARTH_EUSAGE for a bad argument, HEARTH_ECONFLICT if the name exists. */
int hearth_app_user_add(hearth_db *db, const char *name, const char *role, const char *password);

/** Set a new password (and end the account's sessions). HEARTH_ENOTFOUND if no such account. */
int hearth_app_user_passwd(hearth_db *db, const char *name, const char *password);

/** Remove an account and its sessions. HEARTH_ENOTFOUND if no such account; HEARTH_ECONFLICT
 * if it is the last admin and other accounts remain (nobody could manage them). */
int hearth_app_user_remove(hearth_db *db, const char *name);

/** One line per account, "NAME\tROLE\n", sorted by name, appended to `out`. */
int hearth_app_user_list(hearth_db *db, hearth_buf *out);

/* ---- the server (app/server.c) ------------------------------------------------------------ */

#define HEARTH_APP_IDLE_DEFAULT 1800 /* seconds a session lives unused */

typedef struct {
	const char *dir;       /* the node's folder */
	const char *listen;    /* "ADDR:PORT" ("[::]:8443" for IPv6); NULL: 127.0.0.1:8080.
				* Port 0 picks a free port (hearth_app_server_url says which) */
	const char *cert_file; /* PEM certificate and key for HTTPS; both or neither. Beyond */
	const char *key_file;  /* loopback without them, one made once and kept in `dir` */
	int insecure_http;     /* serve plain HTTP beyond loopback (a trusted, closed network) */
	int tls;               /* HTTPS even on loopback */
	int idle_seconds;      /* session idle expiry; 0: HEARTH_APP_IDLE_DEFAULT */
	int throttle_ms;       /* after 5 failed sign-ins (per account, per address): refusal for
				* throttle_ms, doubling with each further failure; 0: 1000 */
	/* each request, "GET /t/child 200 3ms" (never a query string, a name or a value) */
	void (*log)(const char *line, void *payload);
	void *payload;
} hearth_app_options;

typedef struct hearth_app_server hearth_app_server;

/** Start serving the node in opt->dir on its own threads, until hearth_app_server_free().
 * HEARTH_EUSAGE for a bad listen address or options, HEARTH_ENET if the address is taken. */
int hearth_app_server_start(hearth_app_server **out, const hearth_app_options *opt);
/** "http://127.0.0.1:8080/" or "https://...": where it listens. Owned by the server. */
const char *hearth_app_server_url(const hearth_app_server *s);
/** The SHA-256 fingerprint of the HTTPS certificate ("AB:CD:..."), or NULL over plain HTTP. */
const char *hearth_app_server_fingerprint(const hearth_app_server *s);
/** 1 if the certificate was made now (first run). */
int hearth_app_server_cert_new(const hearth_app_server *s);
/** Stop: finish the requests in flight, close the database handles. Accepts NULL. */
void hearth_app_server_free(hearth_app_server *s);

#endif
