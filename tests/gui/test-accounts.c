/* test-accounts.c: the accounts pane of Preferences, driven like a person
 * would, against the in-process fake server
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <libsoup/soup.h>

#include "ember-account-page.h"
#include "ember-account-row.h"
#include "ember-account-setup.h"
#include "ember-accounts-page.h"
#include "ember-add-account-page.h"
#include "ember-application-private.h"
#include "ember-error.h"
#include "ember-fake-server.h"
#include "ember-gui-test-utils.h"
#include "ember-memory-token-store.h"
#include "ember-message-item.h"
#include "ember-preferences-window.h"
#include "ember-sign-in-dialog.h"
#include "ember-test-utils.h"
#include "ember-window.h"

#define TEST_CLIENT_ID     "test-client"
#define TEST_CLIENT_SECRET "test-client-secret"

/* What the test's "browser" does with a sign-in page. */
typedef enum
{
  BROWSER_CONSENT,  /* the person signs in (the fake consents at once) */
  BROWSER_DENY,     /* the person declines */
  BROWSER_IGNORE,   /* the person never comes back */
} BrowserMode;

typedef struct
{
  EmberFakeServer  *server;
  EmberApplication *app;
  EmberTokenStore  *tokens;
  BrowserMode       browser_mode;
  guint             n_pages_opened;
} Fixture;

static Fixture fixture;

static void
fetch_done_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GBytes) body = NULL;
  GError *error = NULL;

  body = soup_session_send_and_read_finish (SOUP_SESSION (object), result, &error);
  if (body == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

/* The browser: follows the sign-in URL like a real one (the fake's
 * authorize endpoint redirects to Ember's loopback listener), or comes
 * back with a refusal, or does nothing. */
static void
test_browser_launch (GtkWindow           *parent,
                     const char          *uri,
                     GCancellable        *cancellable,
                     GAsyncReadyCallback  callback,
                     gpointer             callback_data,
                     gpointer             user_data)
{
  Fixture *f = user_data;
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autoptr(SoupMessage) message = NULL;
  g_autofree char *target = NULL;
  GTask *task = g_task_new (NULL, cancellable, callback, callback_data);

  f->n_pages_opened++;

  switch (f->browser_mode)
    {
    case BROWSER_IGNORE:
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
      return;

    case BROWSER_DENY:
      {
        g_autoptr(GUri) parsed = g_uri_parse (uri, G_URI_FLAGS_ENCODED_QUERY, NULL);
        g_autoptr(GHashTable) params = g_uri_parse_params (g_uri_get_query (parsed), -1, "&",
                                                           G_URI_PARAMS_NONE, NULL);
        g_autofree char *state = g_uri_escape_string (g_hash_table_lookup (params, "state"), NULL, FALSE);

        target = g_strconcat (g_hash_table_lookup (params, "redirect_uri"),
                              "?error=access_denied&state=", state, NULL);
      }
      break;

    case BROWSER_CONSENT:
    default:
      target = g_strdup (uri);
      break;
    }

  message = soup_message_new (SOUP_METHOD_GET, target);
  soup_session_send_and_read_async (session, message, G_PRIORITY_DEFAULT, cancellable, fetch_done_cb, task);
}

static gboolean
services_ready (gpointer data)
{
  EmberApplication *app = data;

  return ember_application_get_store (app) != NULL && ember_application_get_sync_manager (app) != NULL;
}

static void
start (guint n_messages)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *google_auth = NULL;
  g_autofree char *microsoft_auth = NULL;
  g_autofree char *graph_api = NULL;
  EmberFakeServerOptions options;
  const char *base;

  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", FALSE, NULL);

  ember_fake_server_options_init (&options);
  options.n_messages = n_messages;
  options.n_events = 3;
  fixture.server = ember_fake_server_new (&options);
  g_assert_true (ember_fake_server_start (fixture.server, &error));
  g_assert_no_error (error);
  base = ember_fake_server_get_base_uri (fixture.server);
  google_auth = g_strconcat (base, "/google", NULL);
  microsoft_auth = g_strconcat (base, "/microsoft", NULL);
  graph_api = g_strconcat (base, "/v1.0", NULL);

  /* Never the keyring of the machine running the tests. */
  fixture.tokens = ember_memory_token_store_new ();
  fixture.app = ember_application_new (APP_ID, G_APPLICATION_NON_UNIQUE);
  _ember_application_set_token_store (fixture.app, fixture.tokens);
  ember_sign_in_dialog_set_endpoints (fixture.app, "gmail", base, google_auth, TEST_CLIENT_ID, TEST_CLIENT_SECRET);
  ember_sign_in_dialog_set_endpoints (fixture.app, "microsoft", graph_api, microsoft_auth, TEST_CLIENT_ID, NULL);
  ember_sign_in_dialog_set_uri_launcher (fixture.app, test_browser_launch, &fixture, NULL);

  g_application_register (G_APPLICATION (fixture.app), NULL, &error);
  g_assert_no_error (error);
  g_application_activate (G_APPLICATION (fixture.app));
  g_assert_true (ember_test_wait_for (services_ready, fixture.app, 10000));
}

static void
stop (void)
{
  ember_gui_test_quit_app (fixture.app);
  g_clear_object (&fixture.app);
  g_clear_object (&fixture.tokens);
  ember_fake_server_stop (fixture.server);
  g_clear_object (&fixture.server);
}

static EmberPreferencesWindow *
open_accounts (EmberAccountsPage **out_page)
{
  GtkWindow *preferences;
  AdwPreferencesPage *visible;

  g_action_group_activate_action (G_ACTION_GROUP (fixture.app), "add-account", NULL);
  preferences = ember_gui_test_wait_for_window (EMBER_TYPE_PREFERENCES_WINDOW, 5000);
  g_assert_nonnull (preferences);

  visible = adw_preferences_window_get_visible_page (ADW_PREFERENCES_WINDOW (preferences));
  g_assert_true (EMBER_IS_ACCOUNTS_PAGE (visible));
  g_assert_cmpstr (adw_preferences_window_get_visible_page_name (ADW_PREFERENCES_WINDOW (preferences)), ==, "accounts");
  *out_page = EMBER_ACCOUNTS_PAGE (visible);

  return EMBER_PREFERENCES_WINDOW (preferences);
}

static gboolean
row_has_title (GtkWidget *widget,
               gpointer   data)
{
  return g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (widget)), data) == 0;
}

static gboolean
group_has_title (GtkWidget *widget,
                 gpointer   data)
{
  return g_strcmp0 (adw_preferences_group_get_title (ADW_PREFERENCES_GROUP (widget)), data) == 0;
}

static gboolean
button_has_label (GtkWidget *widget,
                  gpointer   data)
{
  return g_strcmp0 (gtk_button_get_label (GTK_BUTTON (widget)), data) == 0;
}

static gboolean
widget_is_drawable (gpointer data)
{
  return gtk_widget_is_drawable (GTK_WIDGET (data));
}

static GtkWidget *
find_visible (GtkWidget *root,
              GType      type)
{
  return ember_gui_test_find_widget (root, type, NULL, NULL);
}

typedef struct
{
  GtkWidget *root;
  GType      type;
  GtkWidget *found;
} Find;

static gboolean
widget_gone (gpointer data)
{
  Find *find = data;

  return ember_gui_test_find_widget (find->root, find->type, ember_gui_test_widget_is_mapped, NULL) == NULL;
}

static EmberAddAccountPage *
open_add_page (EmberPreferencesWindow *preferences,
               EmberAccountsPage      *page,
               const char             *provider_title)
{
  GtkWidget *add_group;
  GtkWidget *provider_row;

  /* Account rows carry the provider's name too: look in "Add an Account". */
  add_group = ember_gui_test_find_widget (GTK_WIDGET (page), ADW_TYPE_PREFERENCES_GROUP, group_has_title,
                                          (gpointer) "Add an Account");
  g_assert_nonnull (add_group);
  provider_row = ember_gui_test_find_widget (add_group, ADW_TYPE_ACTION_ROW, row_has_title,
                                             (gpointer) provider_title);
  g_assert_nonnull (provider_row);
  adw_action_row_activate (ADW_ACTION_ROW (provider_row));

  return EMBER_ADD_ACCOUNT_PAGE (ember_gui_test_wait_for_mapped (GTK_WIDGET (preferences), EMBER_TYPE_ADD_ACCOUNT_PAGE, 5000));
}

static void
type_address (EmberAddAccountPage *add_page,
              const char          *email)
{
  GtkWidget *entry = find_visible (GTK_WIDGET (add_page), ADW_TYPE_ENTRY_ROW);

  g_assert_nonnull (entry);
  gtk_editable_set_text (GTK_EDITABLE (entry), email);
}

static void
press_button (GtkWidget  *root,
              const char *label)
{
  GtkWidget *button = ember_gui_test_find_widget (root, GTK_TYPE_BUTTON, button_has_label, (gpointer) label);

  if (button == NULL)
    g_error ("expected a button labelled “%s”, found none", label);
  g_assert_true (gtk_widget_is_sensitive (button));
  /* A button emits "clicked" a moment after it is activated. */
  g_assert_true (gtk_widget_activate (button));
}

typedef struct
{
  EmberAddAccountPage  *page;
  EmberAddAccountState  state;
} StateWait;

static gboolean
page_in_state (gpointer data)
{
  StateWait *wait = data;

  return ember_add_account_page_get_state (wait->page) == wait->state;
}

static void
wait_for_state (EmberAddAccountPage  *page,
                EmberAddAccountState  state)
{
  StateWait wait = { page, state };

  if (!ember_test_wait_for (page_in_state, &wait, 20000))
    g_error ("expected the add-account page to reach state %d, it stayed in %d (error: %s)",
             state, ember_add_account_page_get_state (page),
             ember_add_account_page_get_error (page) ? ember_add_account_page_get_error (page) : "none");
}

static gboolean
page_has_n_accounts (gpointer data)
{
  return ember_accounts_page_get_n_accounts (EMBER_ACCOUNTS_PAGE (data)) == GPOINTER_TO_UINT (g_object_get_data (data, "expected"));
}

static void
wait_for_n_accounts (EmberAccountsPage *page,
                     guint              n)
{
  g_object_set_data (G_OBJECT (page), "expected", GUINT_TO_POINTER (n));
  if (!ember_test_wait_for (page_has_n_accounts, page, 10000))
    g_error ("expected %u accounts on the page, it shows %u", n, ember_accounts_page_get_n_accounts (page));
}

static GPtrArray *
list_accounts (void)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *accounts;

  accounts = ember_store_list_accounts_sync (ember_application_get_store (fixture.app), NULL, &error);
  g_assert_no_error (error);
  return accounts;
}

static void
store_result_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

/* Signs @email in through the sign-in dialog but without the pane, for
 * tests that start from an existing account. */
static gint64
add_account_directly (const char *provider,
                      const char *email)
{
  g_autoptr(EmberAccountSetup) setup = ember_sign_in_dialog_new_setup (fixture.app, provider, email);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  EmberSignInDialog *dialog;
  gint64 account_id;

  dialog = ember_sign_in_dialog_new (ember_gui_test_find_window (EMBER_TYPE_WINDOW), setup);
  ember_sign_in_dialog_run_async (dialog, NULL, store_result_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  account_id = ember_sign_in_dialog_run_finish (dialog, result, &error);
  g_assert_no_error (error);
  g_assert_cmpint (account_id, >, 0);

  ember_sync_manager_add_account (ember_application_get_sync_manager (fixture.app), account_id);
  return account_id;
}

typedef struct
{
  EmberAccountRow *row;
  EmberSyncStatus  status;
} RowWait;

static gboolean
row_has_status (gpointer data)
{
  RowWait *wait = data;

  return ember_account_row_get_status (wait->row) == wait->status &&
         (wait->status != EMBER_SYNC_STATUS_IDLE || ember_account_row_get_last_success (wait->row) > 0);
}

static void
wait_for_row_status (EmberAccountRow *row,
                     EmberSyncStatus  status)
{
  RowWait wait = { row, status };

  if (!ember_test_wait_for (row_has_status, &wait, 30000))
    g_error ("expected the row of %s to be %s, it is %s (“%s”)",
             ember_account_row_get_account (row)->email, ember_sync_status_to_string (status),
             ember_sync_status_to_string (ember_account_row_get_status (row)),
             ember_account_row_get_status_text (row));
}

static void
test_status_text (void)
{
  gint64 now = g_get_real_time ();
  g_autofree char *just_now = ember_account_format_status (EMBER_SYNC_STATUS_IDLE, now - 5 * G_USEC_PER_SEC, now);
  g_autofree char *minutes = ember_account_format_status (EMBER_SYNC_STATUS_IDLE, now - (gint64) 2 * 60 * G_USEC_PER_SEC, now);
  g_autofree char *one_minute = ember_account_format_status (EMBER_SYNC_STATUS_IDLE, now - 61 * G_USEC_PER_SEC, now);
  g_autofree char *hours = ember_account_format_status (EMBER_SYNC_STATUS_IDLE, now - (gint64) 3 * 3600 * G_USEC_PER_SEC, now);
  g_autofree char *never = ember_account_format_status (EMBER_SYNC_STATUS_IDLE, 0, now);
  g_autofree char *syncing = ember_account_format_status (EMBER_SYNC_STATUS_SYNCING, now, now);
  g_autofree char *sign_in = ember_account_format_status (EMBER_SYNC_STATUS_NEEDS_SIGN_IN, now, now);
  g_autofree char *offline = ember_account_format_status (EMBER_SYNC_STATUS_OFFLINE, now, now);
  g_autofree char *future = ember_account_format_last_sync (now + (gint64) 60 * G_USEC_PER_SEC, now);

  g_assert_cmpstr (just_now, ==, "Synced just now");
  g_assert_cmpstr (minutes, ==, "Synced 2 minutes ago");
  g_assert_cmpstr (one_minute, ==, "Synced 1 minute ago");
  g_assert_cmpstr (hours, ==, "Synced 3 hours ago");
  g_assert_cmpstr (never, ==, "Not synced yet");
  g_assert_cmpstr (syncing, ==, "Syncing…");
  g_assert_cmpstr (sign_in, ==, "Needs sign in");
  g_assert_cmpstr (offline, ==, "Offline");
  /* A clock that went back does not make a sync happen in the future. */
  g_assert_cmpstr (future, ==, "Synced just now");
}

static void
test_empty_pane (void)
{
  EmberPreferencesWindow *preferences;
  EmberAccountsPage *page;
  GtkWidget *group;

  start (5);
  preferences = open_accounts (&page);
  g_assert_true (ember_accounts_page_get_application (page) == fixture.app);

  /* "Your Accounts" is hidden while there are none; both providers are
   * offered. */
  group = ember_gui_test_find_widget (GTK_WIDGET (page), ADW_TYPE_PREFERENCES_GROUP, group_has_title,
                                      (gpointer) "Your Accounts");
  g_assert_nonnull (group);
  g_assert_false (gtk_widget_get_visible (group));
  g_assert_cmpuint (ember_accounts_page_get_n_accounts (page), ==, 0);
  g_assert_nonnull (ember_gui_test_find_widget (GTK_WIDGET (page), ADW_TYPE_ACTION_ROW, row_has_title, (gpointer) "Google"));
  g_assert_nonnull (ember_gui_test_find_widget (GTK_WIDGET (page), ADW_TYPE_ACTION_ROW, row_has_title, (gpointer) "Microsoft 365"));
  g_assert_true (ember_test_wait_for (widget_is_drawable, page, 5000));

  /* An account added elsewhere (ember-cli, the demo) shows up. */
  add_account_directly ("gmail", "alice@gmail.test");
  wait_for_n_accounts (page, 1);
  g_assert_true (gtk_widget_get_visible (group));
  g_assert_true (EMBER_IS_PREFERENCES_WINDOW (preferences));

  stop ();
}

static void
test_add_through_sign_in (void)
{
  g_autoptr(GPtrArray) accounts = NULL;
  g_autofree char *refresh = NULL;
  g_autofree char *secret = NULL;
  g_autoptr(GError) error = NULL;
  EmberPreferencesWindow *preferences;
  EmberAccountsPage *page;
  EmberAddAccountPage *add_page;
  EmberAccountRecord *account;
  EmberAccountRow *row;
  GArray *synced;
  Find gone;

  start (8);
  preferences = open_accounts (&page);
  add_page = open_add_page (preferences, page, "Google");
  g_assert_cmpstr (ember_add_account_page_get_provider (add_page), ==, "gmail");

  /* Sign In waits for a usable address. */
  g_assert_cmpint (ember_add_account_page_get_state (add_page), ==, EMBER_ADD_ACCOUNT_STATE_IDLE);
  type_address (add_page, "alice");
  g_assert_cmpint (ember_add_account_page_get_state (add_page), ==, EMBER_ADD_ACCOUNT_STATE_IDLE);
  /* Typed as the person likes; stored as the provider says. */
  type_address (add_page, "Alice@Gmail.test");
  g_assert_cmpint (ember_add_account_page_get_state (add_page), ==, EMBER_ADD_ACCOUNT_STATE_READY);

  press_button (GTK_WIDGET (add_page), "_Sign In");
  wait_for_n_accounts (page, 1);
  g_assert_cmpuint (fixture.n_pages_opened, ==, 1);

  /* In the store, with its secrets in the token store only. */
  accounts = list_accounts ();
  g_assert_cmpuint (accounts->len, ==, 1);
  account = g_ptr_array_index (accounts, 0);
  g_assert_cmpstr (account->provider, ==, "gmail");
  g_assert_cmpstr (account->email, ==, "alice@gmail.test");
  g_assert_true (ember_token_store_lookup_sync (fixture.tokens, account->id, EMBER_TOKEN_KIND_REFRESH,
                                                &refresh, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_nonnull (refresh);
  g_assert_true (ember_token_store_lookup_sync (fixture.tokens, account->id, EMBER_TOKEN_KIND_CLIENT_SECRET,
                                                &secret, NULL, NULL, &error));
  g_assert_cmpstr (secret, ==, TEST_CLIENT_SECRET);

  /* The subpage closed and the sign-in dialog is gone. */
  gone = (Find) { GTK_WIDGET (preferences), EMBER_TYPE_ADD_ACCOUNT_PAGE, NULL };
  g_assert_true (ember_test_wait_for (widget_gone, &gone, 5000));
  g_assert_null (ember_gui_test_find_window (EMBER_TYPE_SIGN_IN_DIALOG));

  /* The row shows it, and the sync manager runs its first sync. */
  row = EMBER_ACCOUNT_ROW (ember_accounts_page_get_row (page, account->id));
  g_assert_nonnull (row);
  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), ==, "Google");
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), ==, "alice@gmail.test");
  synced = ember_sync_manager_list_accounts (ember_application_get_sync_manager (fixture.app));
  g_assert_cmpuint (synced->len, ==, 1);
  g_assert_cmpint (g_array_index (synced, gint64, 0), ==, account->id);
  g_array_unref (synced);
  wait_for_row_status (row, EMBER_SYNC_STATUS_IDLE);
  g_assert_cmpstr (ember_account_row_get_status_text (row), ==, "Synced just now");
  g_assert_false (ember_account_row_get_attention_needed (row));

  stop ();
}

static void
test_microsoft_and_duplicate (void)
{
  EmberPreferencesWindow *preferences;
  EmberAccountsPage *page;
  EmberAddAccountPage *add_page;
  g_autoptr(GPtrArray) accounts = NULL;

  start (5);
  preferences = open_accounts (&page);
  add_page = open_add_page (preferences, page, "Microsoft 365");
  type_address (add_page, "carol@contoso.test");
  press_button (GTK_WIDGET (add_page), "_Sign In");
  wait_for_n_accounts (page, 1);

  /* The same address again is refused before any browser opens. */
  add_page = open_add_page (preferences, page, "Microsoft 365");
  type_address (add_page, "Carol@Contoso.test");
  g_assert_cmpint (ember_add_account_page_get_state (add_page), ==, EMBER_ADD_ACCOUNT_STATE_IDLE);
  g_assert_cmpstr (ember_add_account_page_get_error (add_page), ==, "Carol@Contoso.test is already set up");
  g_assert_false (gtk_widget_is_sensitive (ember_gui_test_find_widget (GTK_WIDGET (add_page), GTK_TYPE_BUTTON,
                                                                        button_has_label, (gpointer) "_Sign In")));
  g_assert_cmpuint (fixture.n_pages_opened, ==, 1);

  accounts = list_accounts ();
  g_assert_cmpuint (accounts->len, ==, 1);
  g_assert_cmpstr (((EmberAccountRecord *) g_ptr_array_index (accounts, 0))->provider, ==, "microsoft");

  stop ();
}

static void
test_cancel_and_try_again (void)
{
  EmberPreferencesWindow *preferences;
  EmberAccountsPage *page;
  EmberAddAccountPage *add_page;
  GtkWindow *dialog;
  g_autoptr(GPtrArray) accounts = NULL;

  start (5);
  preferences = open_accounts (&page);
  add_page = open_add_page (preferences, page, "Google");
  type_address (add_page, "alice@gmail.test");

  /* The browser never comes back; the person cancels the wait. */
  fixture.browser_mode = BROWSER_IGNORE;
  press_button (GTK_WIDGET (add_page), "_Sign In");
  wait_for_state (add_page, EMBER_ADD_ACCOUNT_STATE_BUSY);
  dialog = ember_gui_test_wait_for_window (EMBER_TYPE_SIGN_IN_DIALOG, 5000);
  g_assert_nonnull (dialog);
  g_assert_cmpstr (adw_message_dialog_get_heading (ADW_MESSAGE_DIALOG (dialog)), ==, "Continue in Your Browser");
  press_button (GTK_WIDGET (dialog), "_Cancel");
  wait_for_state (add_page, EMBER_ADD_ACCOUNT_STATE_READY);
  g_assert_null (ember_add_account_page_get_error (add_page));
  g_assert_null (ember_gui_test_find_window (EMBER_TYPE_SIGN_IN_DIALOG));

  /* The person declines in the browser: the page says so and offers
   * another try. */
  fixture.browser_mode = BROWSER_DENY;
  press_button (GTK_WIDGET (add_page), "_Sign In");
  wait_for_state (add_page, EMBER_ADD_ACCOUNT_STATE_ERROR);
  g_assert_cmpstr (ember_add_account_page_get_error (add_page), ==, "Access to the account was not granted.");
  accounts = list_accounts ();
  g_assert_cmpuint (accounts->len, ==, 0);
  g_clear_pointer (&accounts, g_ptr_array_unref);

  fixture.browser_mode = BROWSER_CONSENT;
  press_button (GTK_WIDGET (add_page), "_Try Again");
  wait_for_n_accounts (page, 1);
  g_assert_cmpuint (fixture.n_pages_opened, ==, 3);
  accounts = list_accounts ();
  g_assert_cmpuint (accounts->len, ==, 1);

  stop ();
}

static EmberAccountPage *
open_account_page (EmberPreferencesWindow *preferences,
                   EmberAccountsPage      *page,
                   gint64                  account_id)
{
  GtkWidget *row = ember_accounts_page_get_row (page, account_id);

  g_assert_nonnull (row);
  adw_action_row_activate (ADW_ACTION_ROW (row));
  return EMBER_ACCOUNT_PAGE (ember_gui_test_wait_for_mapped (GTK_WIDGET (preferences), EMBER_TYPE_ACCOUNT_PAGE, 5000));
}

static void
test_remove_account (void)
{
  g_autoptr(GPtrArray) accounts = NULL;
  g_autoptr(GError) error = NULL;
  EmberPreferencesWindow *preferences;
  EmberAccountsPage *page;
  EmberAccountPage *account_page;
  GtkWindow *confirm;
  gint64 alice_id, carol_id;
  GArray *synced;
  Find gone;

  start (5);
  alice_id = add_account_directly ("gmail", "alice@gmail.test");
  carol_id = add_account_directly ("microsoft", "carol@contoso.test");
  g_assert_cmpuint (ember_memory_token_store_get_n_secrets (EMBER_MEMORY_TOKEN_STORE (fixture.tokens)), ==, 5);

  preferences = open_accounts (&page);
  wait_for_n_accounts (page, 2);
  account_page = open_account_page (preferences, page, alice_id);
  g_assert_cmpint (ember_account_page_get_account_id (account_page), ==, alice_id);

  press_button (GTK_WIDGET (account_page), "_Remove Account…");
  confirm = ember_gui_test_wait_for_window (ADW_TYPE_MESSAGE_DIALOG, 5000);
  g_assert_nonnull (confirm);
  g_assert_cmpstr (adw_message_dialog_get_heading (ADW_MESSAGE_DIALOG (confirm)), ==, "Remove this Account?");
  g_assert_cmpint (adw_message_dialog_get_response_appearance (ADW_MESSAGE_DIALOG (confirm), "remove"), ==,
                   ADW_RESPONSE_DESTRUCTIVE);
  press_button (GTK_WIDGET (confirm), "_Remove");

  wait_for_n_accounts (page, 1);
  g_assert_null (ember_accounts_page_get_row (page, alice_id));
  g_assert_nonnull (ember_accounts_page_get_row (page, carol_id));
  gone = (Find) { GTK_WIDGET (preferences), EMBER_TYPE_ACCOUNT_PAGE, NULL };
  g_assert_true (ember_test_wait_for (widget_gone, &gone, 5000));

  /* Data gone from the store, secrets gone from the token store, and the
   * sync manager no longer has it; the other account is untouched. */
  accounts = list_accounts ();
  g_assert_cmpuint (accounts->len, ==, 1);
  g_assert_cmpint (((EmberAccountRecord *) g_ptr_array_index (accounts, 0))->id, ==, carol_id);
  g_assert_null (ember_store_get_account_sync (ember_application_get_store (fixture.app), alice_id, NULL, &error));
  g_assert_error (error, EMBER_STORE_ERROR, EMBER_STORE_ERROR_NOT_FOUND);
  /* Carol: refresh + access; Microsoft public clients have no secret. */
  g_assert_cmpuint (ember_memory_token_store_get_n_secrets (EMBER_MEMORY_TOKEN_STORE (fixture.tokens)), ==, 2);
  synced = ember_sync_manager_list_accounts (ember_application_get_sync_manager (fixture.app));
  g_assert_cmpuint (synced->len, ==, 1);
  g_assert_cmpint (g_array_index (synced, gint64, 0), ==, carol_id);
  g_array_unref (synced);

  stop ();
}

static void
test_switches_update_store (void)
{
  g_autoptr(EmberAccountRecord) account = NULL;
  g_autoptr(GError) error = NULL;
  EmberPreferencesWindow *preferences;
  EmberAccountsPage *page;
  EmberAccountPage *account_page;
  GtkWidget *calendar_row;
  gint64 account_id;

  start (5);
  account_id = add_account_directly ("gmail", "alice@gmail.test");
  preferences = open_accounts (&page);
  wait_for_n_accounts (page, 1);
  account_page = open_account_page (preferences, page, account_id);

  calendar_row = ember_gui_test_find_widget (GTK_WIDGET (account_page), ADW_TYPE_ACTION_ROW, row_has_title,
                                             (gpointer) "Sync _Calendar");
  g_assert_nonnull (calendar_row);
  adw_action_row_activate (ADW_ACTION_ROW (calendar_row));

  /* The write is asynchronous: poll the store. */
  for (guint i = 0; i < 100; i++)
    {
      g_clear_pointer (&account, ember_account_record_free);
      account = ember_store_get_account_sync (ember_application_get_store (fixture.app), account_id, NULL, &error);
      g_assert_no_error (error);
      if (!account->calendar_enabled)
        break;
      ember_test_spin (50);
    }
  g_assert_false (account->calendar_enabled);
  g_assert_true (account->mail_enabled);

  stop ();
}

static void
test_revoked_needs_sign_in (void)
{
  g_autofree char *old_refresh = NULL;
  g_autofree char *new_refresh = NULL;
  g_autoptr(GError) error = NULL;
  EmberPreferencesWindow *preferences;
  EmberAccountsPage *page;
  EmberAccountPage *account_page;
  EmberAccountRow *row;
  GtkWidget *revealer;
  gint64 account_id;

  start (5);
  account_id = add_account_directly ("gmail", "alice@gmail.test");
  preferences = open_accounts (&page);
  wait_for_n_accounts (page, 1);
  row = EMBER_ACCOUNT_ROW (ember_accounts_page_get_row (page, account_id));
  wait_for_row_status (row, EMBER_SYNC_STATUS_IDLE);

  /* The provider revokes Ember's access (password change, "remove
   * access" in the account settings). */
  g_assert_true (ember_fake_server_revoke (fixture.server, "alice@gmail.test", &error));
  g_assert_no_error (error);
  ember_sync_manager_sync_now (ember_application_get_sync_manager (fixture.app), account_id);

  wait_for_row_status (row, EMBER_SYNC_STATUS_NEEDS_SIGN_IN);
  g_assert_cmpstr (ember_account_row_get_status_text (row), ==, "Needs sign in");
  g_assert_true (ember_account_row_get_attention_needed (row));

  /* The account page leads with the banner and offers to sign in. */
  account_page = open_account_page (preferences, page, account_id);
  revealer = ember_gui_test_find_widget (GTK_WIDGET (account_page), GTK_TYPE_REVEALER, NULL, NULL);
  g_assert_nonnull (revealer);
  g_assert_true (gtk_revealer_get_reveal_child (GTK_REVEALER (revealer)));

  g_assert_true (ember_token_store_lookup_sync (fixture.tokens, account_id, EMBER_TOKEN_KIND_REFRESH,
                                                &old_refresh, NULL, NULL, &error));
  g_assert_no_error (error);
  press_button (GTK_WIDGET (account_page), "_Sign In…");
  for (guint i = 0; i < 200 && (new_refresh == NULL || g_strcmp0 (new_refresh, old_refresh) == 0); i++)
    {
      g_clear_pointer (&new_refresh, g_free);
      ember_test_spin (50);
      g_assert_true (ember_token_store_lookup_sync (fixture.tokens, account_id, EMBER_TOKEN_KIND_REFRESH,
                                                    &new_refresh, NULL, NULL, &error));
      g_assert_no_error (error);
    }
  g_assert_nonnull (new_refresh);
  g_assert_cmpstr (new_refresh, !=, old_refresh);
  g_assert_cmpuint (fixture.n_pages_opened, ==, 2);

  stop ();
}

static gboolean
no_sign_in_dialog (gpointer data)
{
  return ember_gui_test_find_window (EMBER_TYPE_SIGN_IN_DIALOG) == NULL;
}

static void
test_close_preferences_while_waiting (void)
{
  g_autoptr(GPtrArray) accounts = NULL;
  EmberPreferencesWindow *preferences;
  EmberAccountsPage *page;
  EmberAddAccountPage *add_page;

  start (5);
  preferences = open_accounts (&page);
  add_page = open_add_page (preferences, page, "Google");
  type_address (add_page, "alice@gmail.test");
  fixture.browser_mode = BROWSER_IGNORE;
  press_button (GTK_WIDGET (add_page), "_Sign In");
  wait_for_state (add_page, EMBER_ADD_ACCOUNT_STATE_BUSY);
  g_assert_nonnull (ember_gui_test_wait_for_window (EMBER_TYPE_SIGN_IN_DIALOG, 5000));

  /* Leaving Preferences ends the sign-in: the wait stops, the dialog goes
   * and nothing is stored (and nothing touches the gone widgets). */
  gtk_window_destroy (GTK_WINDOW (preferences));
  g_assert_true (ember_test_wait_for (no_sign_in_dialog, NULL, 10000));
  ember_test_spin (200);
  accounts = list_accounts ();
  g_assert_cmpuint (accounts->len, ==, 0);
  g_assert_cmpuint (ember_memory_token_store_get_n_secrets (EMBER_MEMORY_TOKEN_STORE (fixture.tokens)), ==, 0);

  stop ();
}

static void
test_show_account_action (void)
{
  GtkWindow *preferences;
  EmberAccountPage *account_page;
  gint64 alice_id, carol_id;

  start (5);
  alice_id = add_account_directly ("gmail", "alice@gmail.test");
  carol_id = add_account_directly ("microsoft", "carol@contoso.test");
  g_assert_cmpint (alice_id, !=, carol_id);

  /* What a "Sign In…" toast or notification opens: that account's page. */
  g_action_group_activate_action (G_ACTION_GROUP (fixture.app), "show-account", g_variant_new_int64 (carol_id));
  preferences = ember_gui_test_wait_for_window (EMBER_TYPE_PREFERENCES_WINDOW, 5000);
  g_assert_nonnull (preferences);
  account_page = EMBER_ACCOUNT_PAGE (ember_gui_test_wait_for_mapped (GTK_WIDGET (preferences), EMBER_TYPE_ACCOUNT_PAGE, 5000));
  g_assert_cmpint (ember_account_page_get_account_id (account_page), ==, carol_id);
  g_assert_cmpstr (ember_account_page_get_account (account_page)->email, ==, "carol@contoso.test");

  stop ();
}

/* A 503 storm: the sync gives up, a toast offers Retry, and Retry (once the
 * storm is over) brings the mail in. */

/* A mapped button with the label in ToastButton.label, in the main window
 * (where the toasts are). */
typedef struct
{
  const char *label;
  GtkWidget  *button;
} ToastButton;

static gboolean
is_mapped_button (GtkWidget *widget,
                  gpointer   data)
{
  return g_strcmp0 (gtk_button_get_label (GTK_BUTTON (widget)), data) == 0 && gtk_widget_get_mapped (widget);
}

static gboolean
toast_button_shows (gpointer data)
{
  ToastButton *toast = data;

  toast->button = ember_gui_test_find_widget (GTK_WIDGET (ember_gui_test_find_window (EMBER_TYPE_WINDOW)),
                                              GTK_TYPE_BUTTON, is_mapped_button, (gpointer) toast->label);
  return toast->button != NULL;
}

/* Whether the main window's message list shows @data as a subject. */
static gboolean
list_shows_subject (gpointer data)
{
  GtkWidget *list = ember_gui_test_find_widget (GTK_WIDGET (ember_gui_test_find_window (EMBER_TYPE_WINDOW)),
                                                GTK_TYPE_LIST_VIEW, NULL, NULL);
  GListModel *model;

  if (list == NULL)
    return FALSE;
  model = G_LIST_MODEL (gtk_list_view_get_model (GTK_LIST_VIEW (list)));
  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(EmberMessageItem) item = g_list_model_get_item (model, i);

      if (g_strcmp0 (ember_message_item_get_record (item)->subject, data) == 0)
        return TRUE;
    }

  return FALSE;
}

typedef struct
{
  gint64          account_id;
  EmberSyncStatus status;
} StatusWait;

static gboolean
account_has_status (gpointer data)
{
  StatusWait *wait = data;

  return ember_sync_manager_get_account_status (ember_application_get_sync_manager (fixture.app),
                                                wait->account_id) == wait->status;
}

static void
test_503_storm_retry (void)
{
  EmberFakeMessageSpec spec = { 0 };
  g_autoptr(GError) error = NULL;
  g_autofree char *message_id = NULL;
  g_autofree char *faults = NULL;
  ToastButton retry = { "_Retry", NULL };
  StatusWait wait;
  gint64 account_id;

  start (10);
  /* Give up on a failing request within a second instead of minutes. */
  ember_http_client_set_backoff_policy (ember_application_get_http_client (fixture.app),
                                        20 * G_TIME_SPAN_MILLISECOND, 100 * G_TIME_SPAN_MILLISECOND,
                                        G_TIME_SPAN_SECOND);
  account_id = add_account_directly ("gmail", "alice@gmail.test");
  wait.account_id = account_id;
  wait.status = EMBER_SYNC_STATUS_IDLE;
  g_assert_true (ember_test_wait_for (account_has_status, &wait, 30000));

  /* Every request answers 503 until told otherwise; meanwhile new mail
   * arrives that only a sync after the storm can bring. */
  g_assert_true (ember_fake_server_set_faults (fixture.server, "503:1", &error));
  g_assert_no_error (error);
  spec.subject = "Arrived during the storm";
  spec.from_address = "storm@example.test";
  spec.text = "hello";
  spec.unread = TRUE;
  message_id = ember_fake_server_add_message (fixture.server, "alice@gmail.test", &spec, &error);
  g_assert_no_error (error);
  g_assert_nonnull (message_id);

  ember_sync_manager_sync_now (ember_application_get_sync_manager (fixture.app), account_id);
  if (!ember_test_wait_for (toast_button_shows, &retry, 30000))
    g_error ("expected a toast with Retry after the 503 storm; the account is %s",
             ember_sync_status_to_string (ember_sync_manager_get_account_status (
               ember_application_get_sync_manager (fixture.app), account_id)));
  g_assert_cmpint (ember_sync_manager_get_account_status (ember_application_get_sync_manager (fixture.app), account_id),
                   ==, EMBER_SYNC_STATUS_ERROR);
  g_assert_false (list_shows_subject ((gpointer) "Arrived during the storm"));

  /* The storm is over; Retry syncs and the new message shows. */
  g_assert_true (ember_fake_server_set_faults (fixture.server, NULL, &error));
  g_assert_no_error (error);
  faults = ember_fake_server_dup_faults (fixture.server);
  g_assert_true (faults == NULL || *faults == '\0');
  g_assert_true (gtk_widget_activate (retry.button));
  if (!ember_test_wait_for (list_shows_subject, (gpointer) "Arrived during the storm", 30000))
    g_error ("expected the message sent during the storm to show after Retry; the account is %s",
             ember_sync_status_to_string (ember_sync_manager_get_account_status (
               ember_application_get_sync_manager (fixture.app), account_id)));
  g_assert_true (ember_test_wait_for (account_has_status, &wait, 30000));

  stop ();
}

/* A revoked account's toast leads to that account's page. */
static void
test_sign_in_toast_opens_account (void)
{
  g_autoptr(GError) error = NULL;
  GtkWindow *preferences;
  EmberAccountPage *account_page;
  ToastButton sign_in = { "_Sign In…", NULL };
  gint64 alice_id, carol_id;
  StatusWait wait;

  start (5);
  alice_id = add_account_directly ("gmail", "alice@gmail.test");
  carol_id = add_account_directly ("microsoft", "carol@contoso.test");
  wait.account_id = carol_id;
  wait.status = EMBER_SYNC_STATUS_IDLE;
  g_assert_true (ember_test_wait_for (account_has_status, &wait, 30000));

  g_assert_true (ember_fake_server_revoke (fixture.server, "carol@contoso.test", &error));
  g_assert_no_error (error);
  ember_sync_manager_sync_now (ember_application_get_sync_manager (fixture.app), carol_id);
  if (!ember_test_wait_for (toast_button_shows, &sign_in, 30000))
    g_error ("expected a toast with Sign In after the token was revoked");
  g_assert_true (gtk_widget_activate (sign_in.button));

  preferences = ember_gui_test_wait_for_window (EMBER_TYPE_PREFERENCES_WINDOW, 5000);
  g_assert_nonnull (preferences);
  account_page = EMBER_ACCOUNT_PAGE (ember_gui_test_wait_for_mapped (GTK_WIDGET (preferences), EMBER_TYPE_ACCOUNT_PAGE, 5000));
  g_assert_cmpint (ember_account_page_get_account_id (account_page), ==, carol_id);
  g_assert_cmpint (ember_account_page_get_account_id (account_page), !=, alice_id);

  stop ();
}

int
main (int   argc,
      char *argv[])
{
  if (!ember_gui_test_setup (&argc, &argv))
    return 77;

  g_test_add_func ("/ember/gui/accounts/status-text", test_status_text);
  ember_gui_test_add ("/ember/gui/accounts/empty-pane", test_empty_pane);
  ember_gui_test_add ("/ember/gui/accounts/add-through-sign-in", test_add_through_sign_in);
  ember_gui_test_add ("/ember/gui/accounts/microsoft-and-duplicate", test_microsoft_and_duplicate);
  ember_gui_test_add ("/ember/gui/accounts/cancel-and-try-again", test_cancel_and_try_again);
  ember_gui_test_add ("/ember/gui/accounts/remove-account", test_remove_account);
  ember_gui_test_add ("/ember/gui/accounts/switches-update-store", test_switches_update_store);
  ember_gui_test_add ("/ember/gui/accounts/revoked-needs-sign-in", test_revoked_needs_sign_in);
  ember_gui_test_add ("/ember/gui/accounts/show-account-action", test_show_account_action);
  ember_gui_test_add ("/ember/gui/accounts/503-storm-retry", test_503_storm_retry);
  ember_gui_test_add ("/ember/gui/accounts/sign-in-toast-opens-account", test_sign_in_toast_opens_account);
  ember_gui_test_add ("/ember/gui/accounts/close-preferences-while-waiting", test_close_preferences_while_waiting);

  return g_test_run ();
}
