/* test-cli-account.c: `ember-cli account add | list | remove` against the
 * fake server executable, in the headless keyring
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <signal.h>
#include <sys/prctl.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "ember-secret-token-store.h"
#include "ember-test-utils.h"

typedef struct
{
  GSubprocess *fake;
  char        *base;
  char        *data_dir;
  GString     *captured;   /* every stdout and stderr line of every ember-cli run */
  GPtrArray   *cmdlines;   /* /proc/PID/cmdline of each sign-in */
} Fixture;

/* Children die with the test, even when an assertion aborts it. */
static void
die_with_parent (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autofree char *fake_path = ember_test_build_path ("src", "fake", "ember-fake-server", NULL);
  g_autofree char *fake_log = g_build_filename (ember_test_get_tmpdir (), "fake-stderr.txt", NULL);
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr(GDataInputStream) lines = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *ready = NULL;

  g_subprocess_launcher_set_stderr_file_path (launcher, fake_log);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  fixture->fake = g_subprocess_launcher_spawn (launcher, &error, fake_path, "--port", "0",
                                               "--messages", "20", "--events", "5", NULL);
  g_assert_no_error (error);
  lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (fixture->fake));
  ready = g_data_input_stream_read_line_utf8 (lines, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (ready, "READY "));
  fixture->base = g_strdup_printf ("http://127.0.0.1:%s", ready + strlen ("READY "));

  fixture->data_dir = g_build_filename (ember_test_get_tmpdir (), "ember-data", NULL);
  fixture->captured = g_string_new (NULL);
  fixture->cmdlines = g_ptr_array_new_with_free_func (g_free);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_subprocess_force_exit (fixture->fake);
  g_subprocess_wait (fixture->fake, NULL, NULL);
  g_clear_object (&fixture->fake);
  g_clear_pointer (&fixture->base, g_free);
  g_clear_pointer (&fixture->data_dir, g_free);
  g_string_free (fixture->captured, TRUE);
  g_ptr_array_unref (fixture->cmdlines);
}

static GSubprocessLauncher *
make_launcher (const char *stderr_path)
{
  GSubprocessLauncher *launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);

  /* GLib appends to an existing file: start each run afresh. */
  g_unlink (stderr_path);
  /* Every log line, debug included, goes to what the test checks. */
  g_subprocess_launcher_setenv (launcher, "G_MESSAGES_DEBUG", "all", TRUE);
  g_subprocess_launcher_set_stderr_file_path (launcher, stderr_path);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  return launcher;
}

static char *
read_file (const char *path)
{
  g_autofree char *contents = NULL;
  gsize length = 0;

  if (!g_file_get_contents (path, &contents, &length, NULL))
    return g_strdup ("");
  /* Binary files (SQLite) may hold NULs: make them searchable. */
  for (gsize i = 0; i < length; i++)
    if (contents[i] == '\0')
      contents[i] = '\n';
  return g_steal_pointer (&contents);
}

/* Runs ember-cli to completion; returns its exit status. */
static int
run_cli (Fixture     *fixture,
         char       **out_stdout,
         const char  *first_arg,
         ...)
{
  g_autofree char *cli_path = ember_test_build_path ("src", "cli", "ember-cli", NULL);
  g_autofree char *stderr_path = g_build_filename (ember_test_get_tmpdir (), "cli-stderr.txt", NULL);
  g_autoptr(GSubprocessLauncher) launcher = make_launcher (stderr_path);
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  va_list args;

  g_ptr_array_add (argv, cli_path);
  g_ptr_array_add (argv, (char *) "--data-dir");
  g_ptr_array_add (argv, fixture->data_dir);
  va_start (args, first_arg);
  for (const char *arg = first_arg; arg != NULL; arg = va_arg (args, const char *))
    g_ptr_array_add (argv, (char *) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);

  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_communicate_utf8 (process, NULL, NULL, &out, NULL, &error));
  g_assert_no_error (error);

  err = read_file (stderr_path);
  g_string_append (fixture->captured, out);
  g_string_append (fixture->captured, err);
  /* One TAP comment line per run. */
  {
    g_autofree char *out_line = g_strdelimit (g_strdup (out), "\n", ' ');
    g_autofree char *err_line = g_strdelimit (g_strdup (err), "\n", ' ');

    g_test_message ("ember-cli %s: stdout «%s» stderr «%s»", first_arg, out_line, err_line);
  }

  if (out_stdout != NULL)
    *out_stdout = g_steal_pointer (&out);
  return g_subprocess_get_exit_status (process);
}

/* The browser: fetches the URL, follows the 302 to Ember's listener. */
static void
visit (const char *url)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autoptr(SoupMessage) message = soup_message_new ("GET", url);
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (message);
  body = soup_session_send_and_read (session, message, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (message), ==, 200);
  g_assert_nonnull (g_strstr_len (g_bytes_get_data (body, NULL), g_bytes_get_size (body),
                                  "You can close this tab"));
}

static gint64
add_account (Fixture    *fixture,
             const char *provider,
             const char *email,
             const char *auth_base,
             const char *api_base,
             const char *client_secret)
{
  g_autofree char *cli_path = ember_test_build_path ("src", "cli", "ember-cli", NULL);
  g_autofree char *stderr_path = g_build_filename (ember_test_get_tmpdir (), "add-stderr.txt", NULL);
  g_autoptr(GSubprocessLauncher) launcher = make_launcher (stderr_path);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GDataInputStream) lines = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  g_autofree char *cmdline_path = NULL;
  g_autofree char *cmdline = NULL;
  g_autofree char *expected_prefix = NULL;
  g_autofree char *err = NULL;
  g_autofree char *last = NULL;
  gsize cmdline_length = 0;
  const char *argv[] = { cli_path, "--data-dir", fixture->data_dir, "account", "add", provider,
                         "--email", email, "--no-browser", "--api-base", api_base,
                         "--auth-base", auth_base, "--client-id", "ember-test-client",
                         client_secret != NULL ? "--client-secret" : NULL, client_secret, NULL };
  char *line;

  process = g_subprocess_launcher_spawnv (launcher, argv, &error);
  g_assert_no_error (error);
  lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (process));

  /* The first stdout line is the address alone. */
  url = g_data_input_stream_read_line_utf8 (lines, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (url);
  g_test_message ("sign-in address: %s", url);
  expected_prefix = g_strconcat (auth_base, "/", NULL);
  g_assert_true (g_str_has_prefix (url, expected_prefix));
  g_assert_null (strchr (url, ' '));
  g_string_append (fixture->captured, url);

  /* What `ps` would show while it waits. */
  cmdline_path = g_strdup_printf ("/proc/%s/cmdline", g_subprocess_get_identifier (process));
  g_assert_true (g_file_get_contents (cmdline_path, &cmdline, &cmdline_length, NULL));
  for (gsize i = 0; i < cmdline_length; i++)
    if (cmdline[i] == '\0')
      cmdline[i] = ' ';
  g_ptr_array_add (fixture->cmdlines, g_steal_pointer (&cmdline));

  visit (url);

  while ((line = g_data_input_stream_read_line_utf8 (lines, NULL, NULL, &error)) != NULL)
    {
      g_string_append_printf (fixture->captured, "%s\n", line);
      g_free (last);
      last = line;
    }
  g_assert_no_error (error);
  g_assert_true (g_subprocess_wait (process, NULL, &error));
  err = read_file (stderr_path);
  g_string_append (fixture->captured, err);
  g_test_message ("account add %s: stderr «%s»", provider, g_strdelimit (err, "\n", ' '));
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 0);

  /* The last stdout line is the new account id. */
  g_assert_nonnull (last);
  g_assert_cmpint (g_ascii_strtoll (last, NULL, 10), >, 0);
  return g_ascii_strtoll (last, NULL, 10);
}

/* The secrets secret-tool finds for an account (newline separated). */
static GPtrArray *
keyring_secrets (gint64 account_id)
{
  g_autofree char *account = g_strdup_printf ("%" G_GINT64_FORMAT, account_id);
  const char *argv[] = { "secret-tool", "search", "--all", "--unlock", "xdg:schema",
                         EMBER_SECRET_SCHEMA_NAME, "account", account, NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) lines = NULL;
  GPtrArray *secrets = g_ptr_array_new_with_free_func (g_free);

  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                               &out, &err, NULL, &error));
  g_assert_no_error (error);
  lines = g_strsplit (out, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *secret = lines[i] + strlen ("secret = ");
      g_autoptr(JsonParser) parser = json_parser_new ();

      if (!g_str_has_prefix (lines[i], "secret = "))
        continue;
      /* The access token is kept with its expiry. */
      if (secret[0] == '{' && json_parser_load_from_data (parser, secret, -1, NULL))
        secret = json_object_get_string_member (json_node_get_object (json_parser_get_root (parser)), "token");
      g_ptr_array_add (secrets, g_strdup (secret));
    }
  return secrets;
}

static void
assert_nowhere (Fixture    *fixture,
                const char *secret)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;

  g_assert_cmpuint (strlen (secret), >=, 8);
  g_assert_null (strstr (fixture->captured->str, secret));
  for (guint i = 0; i < fixture->cmdlines->len; i++)
    g_assert_null (strstr (g_ptr_array_index (fixture->cmdlines, i), secret));

  dir = g_dir_open (fixture->data_dir, 0, NULL);
  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (fixture->data_dir, name, NULL);
      g_autofree char *contents = read_file (path);

      if (strstr (contents, secret) != NULL)
        g_error ("A token is stored in the clear in %s", path);
    }
}

static JsonNode *
list_accounts (Fixture *fixture)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;

  g_assert_cmpint (run_cli (fixture, &out, "account", "list", "--json", NULL), ==, 0);
  g_assert_true (json_parser_load_from_data (parser, out, -1, &error));
  g_assert_no_error (error);
  return json_parser_steal_root (parser);
}

static JsonObject *
find_account (JsonNode *list,
              gint64    id)
{
  JsonArray *array = json_node_get_array (list);

  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *object = json_array_get_object_element (array, i);

      if (json_object_get_int_member (object, "id") == id)
        return object;
    }
  return NULL;
}

static void
test_add_list_remove (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autofree char *google_auth = g_strconcat (fixture->base, "/google", NULL);
  g_autofree char *microsoft_auth = g_strconcat (fixture->base, "/microsoft", NULL);
  g_autofree char *graph_base = g_strconcat (fixture->base, "/v1.0", NULL);
  g_autoptr(JsonNode) list = NULL;
  g_autoptr(JsonNode) after = NULL;
  g_autoptr(GPtrArray) gmail_secrets = NULL;
  g_autoptr(GPtrArray) microsoft_secrets = NULL;
  g_autoptr(GPtrArray) removed_secrets = NULL;
  g_autofree char *remove_id = NULL;
  JsonObject *gmail_account, *microsoft_account;
  gint64 gmail_id, microsoft_id;

  gmail_id = add_account (fixture, "gmail", "alice@gmail.test", google_auth, fixture->base,
                          "desktop-client-secret");
  microsoft_id = add_account (fixture, "microsoft", "carol@contoso.test", microsoft_auth, graph_base, NULL);
  g_assert_cmpint (gmail_id, !=, microsoft_id);

  list = list_accounts (fixture);
  gmail_account = find_account (list, gmail_id);
  g_assert_nonnull (gmail_account);
  g_assert_cmpstr (json_object_get_string_member (gmail_account, "provider"), ==, "gmail");
  g_assert_cmpstr (json_object_get_string_member (gmail_account, "email"), ==, "alice@gmail.test");
  g_assert_cmpstr (json_object_get_string_member (gmail_account, "state"), ==, "signed-in");
  g_assert_cmpstr (json_object_get_string_member (gmail_account, "api_base"), ==, fixture->base);
  microsoft_account = find_account (list, microsoft_id);
  g_assert_nonnull (microsoft_account);
  g_assert_cmpstr (json_object_get_string_member (microsoft_account, "provider"), ==, "microsoft");
  g_assert_cmpstr (json_object_get_string_member (microsoft_account, "state"), ==, "signed-in");

  /* The tokens are in the keyring: refresh, access (and Google's client
   * secret), and none of them anywhere else. */
  gmail_secrets = keyring_secrets (gmail_id);
  microsoft_secrets = keyring_secrets (microsoft_id);
  g_assert_cmpuint (gmail_secrets->len, ==, 3);
  g_assert_cmpuint (microsoft_secrets->len, ==, 2);
  for (guint i = 0; i < gmail_secrets->len; i++)
    if (g_strcmp0 (g_ptr_array_index (gmail_secrets, i), "desktop-client-secret") != 0)
      assert_nowhere (fixture, g_ptr_array_index (gmail_secrets, i));
  for (guint i = 0; i < microsoft_secrets->len; i++)
    assert_nowhere (fixture, g_ptr_array_index (microsoft_secrets, i));

  /* Removing takes the secrets and the account, and leaves the other. */
  remove_id = g_strdup_printf ("%" G_GINT64_FORMAT, gmail_id);
  g_assert_cmpint (run_cli (fixture, NULL, "account", "remove", remove_id, NULL), ==, 0);
  removed_secrets = keyring_secrets (gmail_id);
  g_assert_cmpuint (removed_secrets->len, ==, 0);
  after = list_accounts (fixture);
  g_assert_null (find_account (after, gmail_id));
  g_assert_nonnull (find_account (after, microsoft_id));
  g_assert_cmpint (run_cli (fixture, NULL, "account", "remove", remove_id, NULL), ==, 1);

  /* Leave the keyring as found. */
  g_clear_pointer (&remove_id, g_free);
  remove_id = g_strdup_printf ("%" G_GINT64_FORMAT, microsoft_id);
  g_assert_cmpint (run_cli (fixture, NULL, "account", "remove", remove_id, NULL), ==, 0);
}

static void
test_errors (Fixture       *fixture,
             gconstpointer  data)
{
  g_autofree char *google_auth = g_strconcat (fixture->base, "/google", NULL);

  /* Usage errors exit 2. */
  g_assert_cmpint (run_cli (fixture, NULL, "account", NULL), ==, 2);
  g_assert_cmpint (run_cli (fixture, NULL, "account", "add", "yahoo", "--email", "a@b.test", NULL), ==, 2);
  g_assert_cmpint (run_cli (fixture, NULL, "account", "add", "gmail", NULL), ==, 2);
  g_assert_cmpint (run_cli (fixture, NULL, "account", "remove", "x", NULL), ==, 2);
  g_assert_cmpint (run_cli (fixture, NULL, "frobnicate", NULL), ==, 2);

  /* Plain http to somewhere else is refused before anything happens. */
  g_string_truncate (fixture->captured, 0);
  g_assert_cmpint (run_cli (fixture, NULL, "account", "add", "gmail", "--email", "alice@gmail.test",
                            "--no-browser", "--client-id", "x", "--auth-base", "http://auth.example.test",
                            NULL), ==, 1);
  g_assert_nonnull (strstr (fixture->captured->str, "ember-cli: "));

  /* A sign-in nobody finishes ends with a clear error, and adds nothing. */
  g_string_truncate (fixture->captured, 0);
  g_assert_cmpint (run_cli (fixture, NULL, "account", "add", "gmail", "--email", "bob@gmail.test",
                            "--no-browser", "--client-id", "x", "--client-secret", "y",
                            "--auth-base", google_auth, "--api-base", fixture->base,
                            "--timeout", "1", NULL), ==, 1);
  g_assert_nonnull (strstr (fixture->captured->str, "ember-cli: "));
  {
    g_autoptr(JsonNode) list = list_accounts (fixture);

    g_assert_cmpuint (json_array_get_length (json_node_get_array (list)), ==, 0);
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  if (!ember_test_has_secret_service ())
    {
      g_printerr ("No Secret Service on the session bus; skipping\n");
      return 77;
    }

  g_test_add ("/ember/cli/account/add-list-remove", Fixture, NULL, fixture_set_up,
              test_add_list_remove, fixture_tear_down);
  g_test_add ("/ember/cli/account/errors", Fixture, NULL, fixture_set_up, test_errors, fixture_tear_down);

  return g_test_run ();
}
