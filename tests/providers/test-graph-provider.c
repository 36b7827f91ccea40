/* test-graph-provider.c: the Graph provider's own rules, without a server
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ember-graph-provider-private.h"
#include "ember-test-utils.h"

static EmberGraphProvider *
new_provider (EmberStore *store,
              const char *base)
{
  g_autoptr(EmberHttpClient) client = ember_http_client_new (ember_clock_get_default ());
  g_autoptr(EmberApiEndpoint) endpoint = ember_api_endpoint_new (EMBER_API_KIND_GRAPH, base,
                                                                 ember_clock_get_default ());

  return EMBER_GRAPH_PROVIDER (ember_graph_provider_new (store, client, endpoint, 1));
}

/* Paging links are fetched with the bearer token: only the endpoint's own
 * origin is followed. */
static void
test_own_links (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_build_filename (ember_test_get_tmpdir (), "links", NULL);
  g_autoptr(EmberStore) store = ember_store_new_sync (dir, NULL, &error);
  g_autoptr(EmberGraphProvider) real = NULL;
  g_autoptr(EmberGraphProvider) local = NULL;

  g_assert_no_error (error);
  real = new_provider (store, EMBER_GRAPH_API_BASE);
  local = new_provider (store, "http://127.0.0.1:8080/v1.0");

  g_assert_true (_ember_graph_provider_is_own_link (real,
    "https://graph.microsoft.com/v1.0/me/mailFolders/AAMk/messages/delta?$skiptoken=abc"));
  g_assert_true (_ember_graph_provider_is_own_link (real,
    "https://GRAPH.microsoft.com/v1.0/me/calendarView/delta?$deltatoken=x"));
  g_assert_false (_ember_graph_provider_is_own_link (real,
    "https://graph.microsoft.com.evil.test/v1.0/me/messages/delta"));
  g_assert_false (_ember_graph_provider_is_own_link (real,
    "http://graph.microsoft.com/v1.0/me/messages/delta"));
  g_assert_false (_ember_graph_provider_is_own_link (real,
    "https://graph.microsoft.com:8443/v1.0/me/messages/delta"));
  g_assert_false (_ember_graph_provider_is_own_link (real,
    "https://graph.microsoft.com@evil.test/v1.0/me/messages/delta"));
  g_assert_false (_ember_graph_provider_is_own_link (real, "/v1.0/me/messages/delta"));
  g_assert_false (_ember_graph_provider_is_own_link (real, "not a link"));
  g_assert_false (_ember_graph_provider_is_own_link (real, NULL));

  g_assert_true (_ember_graph_provider_is_own_link (local, "http://127.0.0.1:8080/v1.0/me/messages/delta?x=1"));
  g_assert_false (_ember_graph_provider_is_own_link (local, "http://127.0.0.1:8081/v1.0/me/messages/delta"));
  g_assert_false (_ember_graph_provider_is_own_link (local, "http://localhost:8080/v1.0/me/messages/delta"));
}

static void
test_settings (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_build_filename (ember_test_get_tmpdir (), "settings", NULL);
  g_autoptr(EmberStore) store = ember_store_new_sync (dir, NULL, &error);
  g_autoptr(EmberGraphProvider) provider = NULL;
  guint page_size = 0, n_folders = 0;

  g_assert_no_error (error);
  provider = new_provider (store, EMBER_GRAPH_API_BASE);
  g_assert_true (EMBER_IS_PROVIDER (provider));

  g_object_get (provider, "message-page-size", &page_size, "max-parallel-folders", &n_folders, NULL);
  g_assert_cmpuint (page_size, ==, EMBER_GRAPH_DEFAULT_MESSAGE_PAGE_SIZE);
  g_assert_cmpuint (n_folders, ==, EMBER_GRAPH_MAX_IN_FLIGHT);

  /* Never more folders at once than the mailbox takes requests. */
  ember_graph_provider_set_max_parallel_folders (provider, 10);
  g_object_get (provider, "max-parallel-folders", &n_folders, NULL);
  g_assert_cmpuint (n_folders, ==, EMBER_GRAPH_MAX_IN_FLIGHT);
  ember_graph_provider_set_max_parallel_folders (provider, 0);
  g_object_get (provider, "max-parallel-folders", &n_folders, NULL);
  g_assert_cmpuint (n_folders, ==, 1);

  ember_graph_provider_set_message_page_size (provider, 250);
  g_object_get (provider, "message-page-size", &page_size, NULL);
  g_assert_cmpuint (page_size, ==, 250);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/ember/providers/graph/provider/own-links", test_own_links);
  g_test_add_func ("/ember/providers/graph/provider/settings", test_settings);

  return g_test_run ();
}
