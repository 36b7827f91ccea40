/* ember-cli-main.c: `ember-cli [--data-dir DIR] COMMAND ...`
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ember-cli"

#include "config.h"

#include <locale.h>

#include "ember-cli-private.h"
#include "ember-log.h"
#include "ember-secret-token-store.h"

/* Each command lives in its own ember-cli-COMMAND.c. */
static const struct
{
  const char          *name;
  EmberCliCommandFunc  func;
  const char          *summary;
} commands[] = {
  { "account", ember_cli_account, "Add, list or remove accounts" },
  { "sync", ember_cli_sync, "Run one sync pass [--account ID]" },
  { "status", ember_cli_status, "Accounts, sync state, counts, last errors [--json]" },
  { "messages", ember_cli_messages, "Stored messages, newest first [--account ID] [--folder NAME] [--limit N] [--json]" },
  { "events", ember_cli_events, "Stored events [--account ID] [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--json]" },
  { "search", ember_cli_search, "Search stored mail: search QUERY [--limit N] [--json]" },
};

static char *
describe_commands (void)
{
  GString *text = g_string_new ("Commands:\n");

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    g_string_append_printf (text, "  %-10s %s\n", commands[i].name, commands[i].summary);
  g_string_append (text, "\nRun “ember-cli COMMAND --help” for a command’s options.");

  return g_string_free (text, FALSE);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *data_dir = NULL;
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *description = NULL;
  EmberCli cli = { 0 };
  const GOptionEntry entries[] = {
    { "data-dir", 0, 0, G_OPTION_ARG_FILENAME, &data_dir,
      "Where Ember keeps its data (default: $XDG_DATA_HOME/ember)", "DIR" },
    { NULL }
  };
  int status = EMBER_CLI_EXIT_USAGE;

  setlocale (LC_ALL, "");
  /* stdout is for results (the sign-in address must be its first line):
   * every log line goes to stderr. */
  g_log_writer_default_set_use_stderr (TRUE);
  ember_log_init ();
  g_set_prgname ("ember-cli");

  context = g_option_context_new ("COMMAND [ARGS…]");
  g_option_context_set_summary (context, "Keep a local copy of your mail and calendars.");
  description = describe_commands ();
  g_option_context_set_description (context, description);
  g_option_context_add_main_entries (context, entries, NULL);
  /* Options after the command belong to the command. */
  g_option_context_set_strict_posix (context, TRUE);

  if (!g_option_context_parse (context, &argc, &argv, &error))
    return ember_cli_usage (NULL, "%s", error->message);

  if (argc < 2)
    return ember_cli_usage (NULL, "No command given");

  cli.data_dir = g_steal_pointer (&data_dir);
  cli.tokens = ember_secret_token_store_new ();
  cli.cancellable = g_cancellable_new ();

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    if (g_strcmp0 (argv[1], commands[i].name) == 0)
      {
        status = commands[i].func (&cli, argc - 1, argv + 1);
        goto out;
      }

  status = ember_cli_usage (NULL, "Unknown command “%s”", argv[1]);

out:
  g_clear_object (&cli.store);
  g_clear_object (&cli.tokens);
  g_clear_object (&cli.cancellable);
  g_free (cli.data_dir);

  return status;
}
