/* ember-cli-private.h: what the ember-cli commands share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

#include "ember-store.h"
#include "ember-token-store.h"

G_BEGIN_DECLS

typedef enum
{
  EMBER_CLI_EXIT_OK      = 0,
  EMBER_CLI_EXIT_FAILURE = 1,
  EMBER_CLI_EXIT_USAGE   = 2,
} EmberCliExit;

typedef struct
{
  char            *data_dir;     /* NULL: the store's default */
  EmberStore      *store;        /* opened on first use */
  EmberTokenStore *tokens;       /* the keyring */
  GCancellable    *cancellable;  /* cancelled by Ctrl-C / SIGTERM */
} EmberCli;

/* A command gets its own argv: argv[0] is the command's name. */
typedef int (*EmberCliCommandFunc) (EmberCli  *cli,
                                    int        argc,
                                    char     **argv);

/* ember-cli-account.c */
int          ember_cli_account         (EmberCli     *cli,
                                        int           argc,
                                        char        **argv);

/* ember-cli-query.c */
int          ember_cli_messages        (EmberCli     *cli,
                                        int           argc,
                                        char        **argv);
int          ember_cli_events          (EmberCli     *cli,
                                        int           argc,
                                        char        **argv);
int          ember_cli_search          (EmberCli     *cli,
                                        int           argc,
                                        char        **argv);
int          ember_cli_status          (EmberCli     *cli,
                                        int           argc,
                                        char        **argv);

/* ember-cli-sync.c */
int          ember_cli_sync            (EmberCli     *cli,
                                        int           argc,
                                        char        **argv);

/* ember-cli-common.c */
EmberStore  *ember_cli_get_store       (EmberCli     *cli,
                                        GError      **error);
/* Prints "ember-cli: MESSAGE (DETAILS)" from the error's EmberUserError on
 * one stderr line and returns EMBER_CLI_EXIT_FAILURE. */
int          ember_cli_fail            (const GError *error);
/* Prints a usage problem and the hint to --help; returns EMBER_CLI_EXIT_USAGE. */
int          ember_cli_usage           (const char   *command,
                                        const char   *format,
                                        ...) G_GNUC_PRINTF (2, 3);
void         ember_cli_print_json      (JsonNode     *node);
/* Runs @func on a worker thread while the main thread waits for it and
 * turns SIGINT/SIGTERM into cancelling cli->cancellable. */
void         ember_cli_run_in_thread   (EmberCli     *cli,
                                        GThreadFunc   func,
                                        gpointer      data);
/* Seconds since the epoch as "YYYY-MM-DDTHH:MM:SSZ". */
char        *ember_cli_format_time     (gint64        unix_seconds);

G_END_DECLS
