/* test-cli-sync.c: `ember-cli sync`, `messages`, `events`, `search` and
 * `status` against the fake server, as a script would use them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <json-glib/json-glib.h>

#include "ember-fake-server.h"
#include "ember-secret-token-store.h"
#include "ember-store.h"
#include "ember-test-utils.h"

#define N_MESSAGES 40
#define N_EVENTS   20

typedef struct
{
  EmberFakeServer *server;
  char            *data_dir;
  char            *cli;
  gint64           account_id;
} Fixture;

/* The account exists and holds tokens the fake server issued, as after
 * `account add` (whose browser flow test-cli-account covers). */
static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  const char *provider = data;
  EmberFakeServerOptions options;
  g_autoptr(GError) error = NULL;
  g_autoptr(EmberStore) store = NULL;
  g_autoptr(EmberAccountRecord) account = ember_account_record_new ();
  g_autoptr(EmberTokenStore) tokens = ember_secret_token_store_new ();
  g_autofree char *access = NULL;
  g_autofree char *refresh = NULL;
  const char *email = g_str_equal (provider, "gmail") ? "alice@gmail.test" : "carol@contoso.test";
  static guint n_fixtures;
  g_autofree char *name = g_strdup_printf ("data-%u", n_fixtures++);

  ember_fake_server_options_init (&options);
  options.n_messages = N_MESSAGES;
  options.n_events = N_EVENTS;
  fixture->server = ember_fake_server_new (&options);
  g_assert_true (ember_fake_server_start (fixture->server, &error));
  g_assert_no_error (error);

  fixture->data_dir = g_build_filename (ember_test_get_tmpdir (), name, NULL);
  fixture->cli = ember_test_build_path ("src", "cli", "ember-cli", NULL);

  store = ember_store_new_sync (fixture->data_dir, NULL, &error);
  g_assert_no_error (error);
  account->provider = g_strdup (provider);
  account->email = g_strdup (email);
  account->client_id = g_strdup ("ember-test-client");
  if (g_str_equal (provider, "gmail"))
    {
      account->api_base = g_strdup (ember_fake_server_get_base_uri (fixture->server));
      account->auth_base = g_strdup_printf ("%s/google", ember_fake_server_get_base_uri (fixture->server));
    }
  else
    {
      account->api_base = g_strdup_printf ("%s/v1.0", ember_fake_server_get_base_uri (fixture->server));
      account->auth_base = g_strdup_printf ("%s/microsoft", ember_fake_server_get_base_uri (fixture->server));
    }
  fixture->account_id = ember_store_add_account_sync (store, account, NULL, &error);
  g_assert_no_error (error);

  g_assert_true (ember_fake_server_issue_token (fixture->server, email, &access, &refresh, &error));
  g_assert_no_error (error);
  g_assert_true (ember_token_store_store_sync (tokens, fixture->account_id, EMBER_TOKEN_KIND_REFRESH,
                                               refresh, 0, NULL, &error));
  g_assert_no_error (error);
  /* Google desktop clients come with a secret; `account add` keeps it here. */
  if (g_str_equal (provider, "gmail"))
    {
      g_assert_true (ember_token_store_store_sync (tokens, fixture->account_id, EMBER_TOKEN_KIND_CLIENT_SECRET,
                                                   "ember-test-secret", 0, NULL, &error));
      g_assert_no_error (error);
    }
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(EmberTokenStore) tokens = ember_secret_token_store_new ();

  ember_token_store_clear_sync (tokens, fixture->account_id, NULL, NULL);
  ember_fake_server_stop (fixture->server);
  g_clear_object (&fixture->server);
  g_free (fixture->data_dir);
  g_free (fixture->cli);
}

/* Runs ember-cli with @args; returns its stdout, asserts its exit status. */
static char *
run_cli (Fixture    *fixture,
         int         expected_status,
         const char *first_arg,
         ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;
  char *out = NULL;
  va_list args;

  g_ptr_array_add (argv, fixture->cli);
  g_ptr_array_add (argv, (gpointer) "--data-dir");
  g_ptr_array_add (argv, fixture->data_dir);
  va_start (args, first_arg);
  for (const char *arg = first_arg; arg != NULL; arg = va_arg (args, const char *))
    g_ptr_array_add (argv, (gpointer) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);

  process = g_subprocess_newv ((const char * const *) argv->pdata,
                               G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                               &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_communicate_utf8 (process, NULL, NULL, &out, &err, &error));
  g_assert_no_error (error);
  if (g_subprocess_get_exit_status (process) != expected_status)
    g_error ("expected `ember-cli %s` to exit with %d, it exited with %d; stderr:\n%s",
             first_arg, expected_status, g_subprocess_get_exit_status (process), err);

  return out;
}

static JsonArray *
parse_array (const char *text,
             JsonParser *parser)
{
  g_autoptr(GError) error = NULL;
  JsonNode *root;

  g_assert_true (json_parser_load_from_data (parser, text, -1, &error));
  g_assert_no_error (error);
  root = json_parser_get_root (parser);
  g_assert_true (JSON_NODE_HOLDS_ARRAY (root));

  return json_node_get_array (root);
}

static void
test_sync_then_query (Fixture       *fixture,
                      gconstpointer  data)
{
  const char *provider = data;
  const char *email = g_str_equal (provider, "gmail") ? "alice@gmail.test" : "carol@contoso.test";
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(JsonParser) status_parser = json_parser_new ();
  g_autoptr(JsonParser) search_parser = json_parser_new ();
  g_autoptr(JsonParser) events_parser = json_parser_new ();
  g_autoptr(GHashTable) stored = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) server_ids = NULL;
  g_autofree char *out = NULL;
  g_autofree char *status = NULL;
  g_autofree char *found = NULL;
  g_autofree char *events = NULL;
  g_autofree char *quoted = NULL;
  JsonArray *messages, *results, *event_list, *accounts;
  JsonObject *newest, *account;
  const char *subject;

  if (!ember_test_has_secret_service ())
    {
      g_test_skip ("no Secret Service on the session bus");
      return;
    }

  g_free (run_cli (fixture, 0, "sync", NULL));

  /* Every message of the server, once, newest first. */
  out = run_cli (fixture, 0, "messages", "--json", NULL);
  messages = parse_array (out, parser);
  server_ids = ember_fake_server_list_message_ids (fixture->server, email, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (json_array_get_length (messages), ==, g_strv_length (server_ids));
  for (guint i = 0; i < json_array_get_length (messages); i++)
    {
      JsonObject *message = json_array_get_object_element (messages, i);
      const char *id = json_object_get_string_member (message, "id");

      g_assert_false (g_hash_table_contains (stored, id));
      g_hash_table_add (stored, (gpointer) id);
      g_assert_cmpstr (json_object_get_string_member (message, "account"), ==, email);
      g_assert_true (json_object_has_member (message, "thread"));
      g_assert_true (json_object_has_member (message, "folders"));
      g_assert_true (json_object_has_member (message, "unread"));
      g_assert_true (json_object_has_member (message, "snippet"));
      if (i > 0)
        g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (messages, i - 1), "date"),
                         >=, json_object_get_string_member (message, "date"));
    }
  for (guint i = 0; server_ids[i] != NULL; i++)
    if (!g_hash_table_contains (stored, server_ids[i]))
      g_error ("expected message %s of the server in `messages --json`, it is missing", server_ids[i]);

  /* Search finds the newest message by its subject. */
  newest = json_array_get_object_element (messages, 0);
  subject = json_object_get_string_member (newest, "subject");
  quoted = g_strdup_printf ("\"%s\"", subject);
  found = run_cli (fixture, 0, "search", quoted, "--json", NULL);
  results = parse_array (found, search_parser);
  g_assert_cmpuint (json_array_get_length (results), >=, 1);
  {
    gboolean hit = FALSE;

    for (guint i = 0; i < json_array_get_length (results); i++)
      hit |= g_strcmp0 (json_object_get_string_member (json_array_get_object_element (results, i), "id"),
                        json_object_get_string_member (newest, "id")) == 0;
    g_assert_true (hit);
  }

  /* Events carry the contract's fields. */
  events = run_cli (fixture, 0, "events", "--json", NULL);
  event_list = parse_array (events, events_parser);
  g_assert_cmpuint (json_array_get_length (event_list), >, 0);
  for (guint i = 0; i < json_array_get_length (event_list); i++)
    {
      JsonObject *event = json_array_get_object_element (event_list, i);

      g_assert_true (json_object_has_member (event, "id"));
      g_assert_true (json_object_has_member (event, "calendar"));
      g_assert_true (json_object_has_member (event, "summary"));
      g_assert_true (json_object_has_member (event, "start"));
      g_assert_true (json_object_has_member (event, "end"));
      g_assert_true (json_object_has_member (event, "all_day"));
      g_assert_true (json_object_has_member (event, "location"));
      g_assert_cmpstr (json_object_get_string_member (event, "status"), !=, "cancelled");
    }

  /* Status: synced, with the counts the queries saw. */
  status = run_cli (fixture, 0, "status", "--json", NULL);
  g_assert_true (json_parser_load_from_data (status_parser, status, -1, &error));
  g_assert_no_error (error);
  accounts = json_object_get_array_member (json_node_get_object (json_parser_get_root (status_parser)), "accounts");
  g_assert_cmpuint (json_array_get_length (accounts), ==, 1);
  account = json_array_get_object_element (accounts, 0);
  g_assert_cmpstr (json_object_get_string_member (account, "state"), ==, "idle");
  g_assert_false (json_object_get_null_member (account, "last_sync"));
  g_assert_cmpint (json_object_get_int_member (account, "messages"), ==, json_array_get_length (messages));
  g_assert_true (json_object_get_null_member (account, "last_error"));
}

static void
test_revoked_account_fails_clearly (Fixture       *fixture,
                                    gconstpointer  data)
{
  const char *provider = data;
  const char *email = g_str_equal (provider, "gmail") ? "alice@gmail.test" : "carol@contoso.test";
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *status = NULL;
  JsonObject *account;

  if (!ember_test_has_secret_service ())
    {
      g_test_skip ("no Secret Service on the session bus");
      return;
    }

  g_assert_true (ember_fake_server_revoke (fixture->server, email, &error));
  g_assert_no_error (error);
  g_free (run_cli (fixture, 1, "sync", NULL));

  status = run_cli (fixture, 0, "status", "--json", NULL);
  g_assert_true (json_parser_load_from_data (parser, status, -1, &error));
  account = json_array_get_object_element (json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)),
                                                                         "accounts"), 0);
  g_assert_cmpstr (json_object_get_string_member (account, "state"), ==, "error");
  g_assert_nonnull (json_object_get_string_member (account, "last_error"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/ember/cli/sync/gmail", Fixture, "gmail", fixture_set_up, test_sync_then_query, fixture_tear_down);
  g_test_add ("/ember/cli/sync/gmail-revoked", Fixture, "gmail", fixture_set_up, test_revoked_account_fails_clearly, fixture_tear_down);
  g_test_add ("/ember/cli/sync/microsoft", Fixture, "microsoft", fixture_set_up, test_sync_then_query, fixture_tear_down);
  g_test_add ("/ember/cli/sync/microsoft-revoked", Fixture, "microsoft", fixture_set_up, test_revoked_account_fails_clearly, fixture_tear_down);

  return g_test_run ();
}
