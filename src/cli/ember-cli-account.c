/* ember-cli-account.c: `ember-cli account add | list | remove`
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ember-cli"

#include "config.h"

#include <stdio.h>

#include "ember-account-setup.h"
#include "ember-accounts.h"
#include "ember-cli-private.h"
#include "ember-error.h"
#include "ember-oauth-flow.h"

static gboolean
parse_options (const char     *usage,
               const char     *summary,
               const GOptionEntry *entries,
               int            *argc,
               char         ***argv,
               GError        **error)
{
  g_autoptr(GOptionContext) context = g_option_context_new (usage);

  g_option_context_set_summary (context, summary);
  g_option_context_add_main_entries (context, entries, NULL);
  return g_option_context_parse (context, argc, argv, error);
}

/* account add */

typedef struct
{
  EmberCli          *cli;
  EmberAccountSetup *setup;
  gint64             account_id;
  GError            *error;
} AddJob;

static gpointer
add_thread (gpointer data)
{
  AddJob *job = data;

  job->account_id = ember_account_setup_run_sync (job->setup, job->cli->cancellable, &job->error);
  return NULL;
}

static gboolean
account_exists (EmberStore  *store,
                const char  *provider,
                const char  *email,
                gboolean    *out_exists,
                GError     **error)
{
  g_autoptr(GPtrArray) accounts = ember_store_list_accounts_sync (store, NULL, error);

  if (accounts == NULL)
    return FALSE;

  *out_exists = FALSE;
  for (guint i = 0; i < accounts->len; i++)
    {
      EmberAccountRecord *account = g_ptr_array_index (accounts, i);

      if (g_strcmp0 (account->provider, provider) == 0 &&
          g_ascii_strcasecmp (account->email, email) == 0)
        *out_exists = TRUE;
    }

  return TRUE;
}

static int
account_add (EmberCli  *cli,
             int        argc,
             char     **argv)
{
  g_autofree char *email = NULL;
  g_autofree char *api_base = NULL;
  g_autofree char *auth_base = NULL;
  g_autofree char *client_id = NULL;
  g_autofree char *client_secret = NULL;
  gboolean no_browser = FALSE;
  int timeout_seconds = 0;
  const GOptionEntry entries[] = {
    { "email", 0, 0, G_OPTION_ARG_STRING, &email, "The account’s address (required)", "ADDR" },
    { "api-base", 0, 0, G_OPTION_ARG_STRING, &api_base,
      "Use this API server instead of the provider’s (e.g. a test server)", "URL" },
    { "auth-base", 0, 0, G_OPTION_ARG_STRING, &auth_base,
      "Use this sign-in server instead of the provider’s", "URL" },
    { "client-id", 0, 0, G_OPTION_ARG_STRING, &client_id, "OAuth client id to sign in with", "ID" },
    { "client-secret", 0, 0, G_OPTION_ARG_STRING, &client_secret,
      "OAuth client secret (Google desktop clients have one)", "S" },
    { "no-browser", 0, 0, G_OPTION_ARG_NONE, &no_browser,
      "Print the sign-in address as the first line instead of opening a browser", NULL },
    { "timeout", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_INT, &timeout_seconds,
      "Seconds to wait for the browser (default 300)", "SECONDS" },
    { NULL }
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(EmberHttpClient) client = NULL;
  g_autoptr(EmberAccountSetup) setup = NULL;
  g_autofree char *probe = NULL;
  EmberOAuthProvider provider;
  EmberStore *store;
  gboolean exists = FALSE;
  const char *url;
  AddJob job = { 0 };

  if (!parse_options ("gmail|microsoft --email ADDR", "Sign in to an account and add it.",
                      entries, &argc, &argv, &error))
    return ember_cli_usage ("account add ", "%s", error->message);
  if (argc != 2)
    return ember_cli_usage ("account add ", "Expected one provider, “gmail” or “microsoft”");
  if (!ember_oauth_provider_from_account_provider (argv[1], &provider, NULL) ||
      g_strcmp0 (argv[1], "google") == 0)
    return ember_cli_usage ("account add ", "Unknown provider “%s”: expected “gmail” or “microsoft”", argv[1]);
  if (email == NULL || strchr (email, '@') == NULL)
    return ember_cli_usage ("account add ", "--email ADDR is required");
  if (timeout_seconds < 0)
    return ember_cli_usage ("account add ", "--timeout must be positive");

  if ((api_base != NULL && !ember_http_url_is_allowed (api_base, &error)) ||
      (auth_base != NULL && !ember_http_url_is_allowed (auth_base, &error)))
    return ember_cli_fail (error);

  /* Everything that can fail without the person's help fails before the
   * browser opens: the store, a duplicate, the client id, the keyring. */
  store = ember_cli_get_store (cli, &error);
  if (store == NULL)
    return ember_cli_fail (error);
  if (!account_exists (store, argv[1], email, &exists, &error))
    return ember_cli_fail (error);
  if (exists)
    {
      g_printerr ("ember-cli: %s is already added\n", email);
      return EMBER_CLI_EXIT_FAILURE;
    }
  if (!ember_token_store_lookup_sync (cli->tokens, G_MAXINT64, EMBER_TOKEN_KIND_REFRESH,
                                      &probe, NULL, NULL, &error))
    return ember_cli_fail (error);

  client = ember_http_client_new (ember_clock_get_default ());
  setup = ember_account_setup_new (client, store, cli->tokens, argv[1], email);
  ember_account_setup_set_api_base (setup, api_base);
  ember_account_setup_set_auth_base (setup, auth_base);
  ember_account_setup_set_client (setup, client_id, client_secret);
  if (timeout_seconds > 0)
    ember_account_setup_set_timeout (setup, (gint64) timeout_seconds * G_USEC_PER_SEC);
  if (!ember_account_setup_start (setup, &error))
    return ember_cli_fail (error);

  url = ember_account_setup_get_authorization_url (setup);
  if (no_browser)
    {
      g_print ("%s\n", url);
      fflush (stdout);
      g_printerr ("Open the address above in a browser to sign in to %s.\n", email);
    }
  else
    {
      g_autoptr(GError) launch_error = NULL;

      g_printerr ("Opening your browser to sign in to %s…\n", email);
      if (!g_app_info_launch_default_for_uri (url, NULL, &launch_error))
        g_printerr ("Could not open a browser (%s). Open this address to sign in:\n%s\n",
                    launch_error->message, url);
    }
  g_printerr ("Waiting for the sign-in to finish…\n");

  job.cli = cli;
  job.setup = setup;
  ember_cli_run_in_thread (cli, add_thread, &job);

  if (job.account_id <= 0)
    {
      int status = ember_cli_fail (job.error);

      g_clear_error (&job.error);
      return status;
    }

  /* The provider's address: it can differ from the one typed. */
  g_printerr ("Added %s\n", ember_account_setup_get_email (setup));
  g_print ("%" G_GINT64_FORMAT "\n", job.account_id);
  return EMBER_CLI_EXIT_OK;
}

/* account list */

static int
account_list (EmberCli  *cli,
              int        argc,
              char     **argv)
{
  gboolean as_json = FALSE;
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &as_json, "Print JSON", NULL },
    { NULL }
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) accounts = NULL;
  g_autoptr(JsonBuilder) builder = NULL;
  EmberStore *store;

  if (!parse_options ("", "List the accounts.", entries, &argc, &argv, &error))
    return ember_cli_usage ("account list ", "%s", error->message);
  if (argc != 1)
    return ember_cli_usage ("account list ", "Unexpected argument “%s”", argv[1]);

  store = ember_cli_get_store (cli, &error);
  if (store == NULL)
    return ember_cli_fail (error);
  accounts = ember_store_list_accounts_sync (store, cli->cancellable, &error);
  if (accounts == NULL)
    return ember_cli_fail (error);

  builder = json_builder_new ();
  json_builder_begin_array (builder);
  for (guint i = 0; i < accounts->len; i++)
    {
      EmberAccountRecord *account = g_ptr_array_index (accounts, i);
      EmberAccountAuthState state = ember_account_get_auth_state_sync (cli->tokens, account->id,
                                                                       cli->cancellable);
      g_autofree char *created = ember_cli_format_time (account->created);

      if (!as_json)
        {
          g_print ("%-4" G_GINT64_FORMAT " %-10s %-32s %s\n", account->id, account->provider,
                   account->email, ember_account_auth_state_to_string (state));
          continue;
        }

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "id");
      json_builder_add_int_value (builder, account->id);
      json_builder_set_member_name (builder, "provider");
      json_builder_add_string_value (builder, account->provider);
      json_builder_set_member_name (builder, "email");
      json_builder_add_string_value (builder, account->email);
      json_builder_set_member_name (builder, "display_name");
      json_builder_add_string_value (builder, account->display_name);
      json_builder_set_member_name (builder, "state");
      json_builder_add_string_value (builder, ember_account_auth_state_to_string (state));
      json_builder_set_member_name (builder, "api_base");
      json_builder_add_string_value (builder, account->api_base);
      json_builder_set_member_name (builder, "auth_base");
      json_builder_add_string_value (builder, account->auth_base);
      json_builder_set_member_name (builder, "client_id");
      json_builder_add_string_value (builder, account->client_id);
      json_builder_set_member_name (builder, "mail_enabled");
      json_builder_add_boolean_value (builder, account->mail_enabled);
      json_builder_set_member_name (builder, "calendar_enabled");
      json_builder_add_boolean_value (builder, account->calendar_enabled);
      json_builder_set_member_name (builder, "created");
      json_builder_add_string_value (builder, created);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  if (as_json)
    {
      g_autoptr(JsonNode) root = json_builder_get_root (builder);

      ember_cli_print_json (root);
    }

  return EMBER_CLI_EXIT_OK;
}

/* account remove */

static int
account_remove (EmberCli  *cli,
                int        argc,
                char     **argv)
{
  const GOptionEntry entries[] = { { NULL } };
  g_autoptr(GError) error = NULL;
  EmberStore *store;
  guint64 account_id = 0;

  if (!parse_options ("ID", "Remove an account with all its data and its sign-in.",
                      entries, &argc, &argv, &error))
    return ember_cli_usage ("account remove ", "%s", error->message);
  if (argc != 2 || !g_ascii_string_to_unsigned (argv[1], 10, 1, G_MAXINT64, &account_id, NULL))
    return ember_cli_usage ("account remove ", "Expected one account id (see “ember-cli account list”)");

  store = ember_cli_get_store (cli, &error);
  if (store == NULL)
    return ember_cli_fail (error);

  if (!ember_account_remove_sync (store, cli->tokens, (gint64) account_id, cli->cancellable, &error))
    {
      if (g_error_matches (error, EMBER_STORE_ERROR, EMBER_STORE_ERROR_NOT_FOUND))
        {
          g_printerr ("ember-cli: There is no account %" G_GUINT64_FORMAT "\n", account_id);
          return EMBER_CLI_EXIT_FAILURE;
        }
      return ember_cli_fail (error);
    }

  g_printerr ("Removed account %" G_GUINT64_FORMAT "\n", account_id);
  return EMBER_CLI_EXIT_OK;
}

int
ember_cli_account (EmberCli  *cli,
                   int        argc,
                   char     **argv)
{
  static const struct
  {
    const char          *name;
    EmberCliCommandFunc  func;
  } subcommands[] = {
    { "add", account_add },
    { "list", account_list },
    { "remove", account_remove },
  };

  if (argc < 2 || g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h"))
    {
      g_printerr ("Usage:\n"
                  "  ember-cli account add gmail|microsoft --email ADDR [--api-base URL] [--auth-base URL]\n"
                  "                        [--client-id ID] [--client-secret S] [--no-browser]\n"
                  "  ember-cli account list [--json]\n"
                  "  ember-cli account remove ID\n");
      return argc < 2 ? EMBER_CLI_EXIT_USAGE : EMBER_CLI_EXIT_OK;
    }

  for (guint i = 0; i < G_N_ELEMENTS (subcommands); i++)
    if (g_str_equal (argv[1], subcommands[i].name))
      return subcommands[i].func (cli, argc - 1, argv + 1);

  return ember_cli_usage ("account ", "Unknown account command “%s”", argv[1]);
}
