/* ember-secret-token-store.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ember-secrets"

#include "config.h"

#include <libsecret/secret.h>

#include "ember-error.h"
#include "ember-secret-token-store.h"

struct _EmberSecretTokenStore
{
  GObject parent_instance;
};

static void token_store_iface_init (EmberTokenStoreInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (EmberSecretTokenStore, ember_secret_token_store, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (EMBER_TYPE_TOKEN_STORE, token_store_iface_init))

static const SecretSchema token_schema = {
  .name = EMBER_SECRET_SCHEMA_NAME,
  .flags = SECRET_SCHEMA_NONE,
  .attributes = {
    { .name = "account", .type = SECRET_SCHEMA_ATTRIBUTE_STRING },
    { .name = "kind", .type = SECRET_SCHEMA_ATTRIBUTE_STRING },
    { .name = "expires", .type = SECRET_SCHEMA_ATTRIBUTE_STRING },
    { .name = NULL, .type = 0 },
  },
};

/* libsecret reports a missing Secret Service in several ways, depending on
 * whether there is a session bus at all and whether it can activate one. */
static gboolean
is_no_service_error (const GError *error)
{
  if (error->domain == G_DBUS_ERROR)
    {
      switch (error->code)
        {
        case G_DBUS_ERROR_SERVICE_UNKNOWN:
        case G_DBUS_ERROR_NAME_HAS_NO_OWNER:
        case G_DBUS_ERROR_NO_SERVER:
        case G_DBUS_ERROR_SPAWN_EXEC_FAILED:
        case G_DBUS_ERROR_SPAWN_FORK_FAILED:
        case G_DBUS_ERROR_SPAWN_CHILD_EXITED:
        case G_DBUS_ERROR_SPAWN_CHILD_SIGNALED:
        case G_DBUS_ERROR_SPAWN_FAILED:
        case G_DBUS_ERROR_SPAWN_SETUP_FAILED:
        case G_DBUS_ERROR_SPAWN_CONFIG_INVALID:
        case G_DBUS_ERROR_SPAWN_SERVICE_INVALID:
        case G_DBUS_ERROR_SPAWN_SERVICE_NOT_FOUND:
        case G_DBUS_ERROR_SPAWN_PERMISSIONS_INVALID:
        case G_DBUS_ERROR_SPAWN_FILE_INVALID:
        case G_DBUS_ERROR_SPAWN_NO_MEMORY:
          return TRUE;
        default:
          return FALSE;
        }
    }

  /* No session bus: GIO cannot find or autolaunch one. */
  if (error->domain == G_IO_ERROR)
    return TRUE;

  return FALSE;
}

static gboolean
propagate_secret_error (GError  **error,
                        GError   *secret_error,
                        const char *action)
{
  if (g_error_matches (secret_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_propagate_error (error, secret_error);
    }
  else if (is_no_service_error (secret_error))
    {
      g_debug ("No Secret Service: %s", secret_error->message);
      g_set_error_literal (error, EMBER_AUTH_ERROR, EMBER_AUTH_ERROR_NO_KEYRING,
                           EMBER_NO_KEYRING_MESSAGE);
      g_error_free (secret_error);
    }
  else if (g_error_matches (secret_error, SECRET_ERROR, SECRET_ERROR_IS_LOCKED) ||
           g_error_matches (secret_error, SECRET_ERROR, SECRET_ERROR_NO_SUCH_OBJECT))
    {
      g_set_error (error, EMBER_AUTH_ERROR, EMBER_AUTH_ERROR_NO_KEYRING,
                   "Could not %s: the system keyring is locked or has no default keyring (%s)",
                   action, secret_error->message);
      g_error_free (secret_error);
    }
  else
    {
      g_set_error (error, EMBER_AUTH_ERROR, EMBER_AUTH_ERROR_FAILED,
                   "Could not %s in the system keyring: %s", action, secret_error->message);
      g_error_free (secret_error);
    }

  return FALSE;
}

/* Returns the "expires" attribute of @item, 0 when absent. */
static gint64
item_get_expires (SecretRetrievable *item)
{
  g_autoptr(GHashTable) attributes = secret_retrievable_get_attributes (item);
  const char *value = attributes != NULL ? g_hash_table_lookup (attributes, "expires") : NULL;

  return value != NULL ? g_ascii_strtoll (value, NULL, 10) : 0;
}

static gboolean
secret_store_sync (EmberTokenStore  *store,
                   gint64            account_id,
                   EmberTokenKind    kind,
                   const char       *secret,
                   gint64            expires,
                   GCancellable     *cancellable,
                   GError          **error)
{
  g_autofree char *account = g_strdup_printf ("%" G_GINT64_FORMAT, account_id);
  g_autofree char *expires_text = g_strdup_printf ("%" G_GINT64_FORMAT, expires);
  g_autofree char *label = NULL;
  const char *kind_text = ember_token_kind_to_string (kind);
  GList *items;
  GError *local_error = NULL;

  label = g_strdup_printf ("Ember sign-in, account %s (%s)", account, kind_text);

  /* Same attributes replace the item in place; a new expiry makes a new
   * item first, so a crash never leaves the account without a token. */
  if (!secret_password_store_sync (&token_schema, SECRET_COLLECTION_DEFAULT, label, secret,
                                   cancellable, &local_error,
                                   "account", account,
                                   "kind", kind_text,
                                   "expires", expires_text,
                                   NULL))
    return propagate_secret_error (error, local_error, "save the sign-in");

  items = secret_password_search_sync (&token_schema, SECRET_SEARCH_ALL, cancellable, &local_error,
                                       "account", account,
                                       "kind", kind_text,
                                       NULL);
  if (local_error != NULL)
    return propagate_secret_error (error, local_error, "save the sign-in");

  for (GList *l = items; l != NULL; l = l->next)
    {
      g_autofree char *old_expires = NULL;

      if (item_get_expires (l->data) == expires)
        continue;

      old_expires = g_strdup_printf ("%" G_GINT64_FORMAT, item_get_expires (l->data));
      if (!secret_password_clear_sync (&token_schema, cancellable, &local_error,
                                       "account", account,
                                       "kind", kind_text,
                                       "expires", old_expires,
                                       NULL) &&
          local_error != NULL)
        {
          g_list_free_full (items, g_object_unref);
          return propagate_secret_error (error, local_error, "replace the old sign-in");
        }
    }

  g_list_free_full (items, g_object_unref);
  return TRUE;
}

static gboolean
secret_lookup_sync (EmberTokenStore  *store,
                    gint64            account_id,
                    EmberTokenKind    kind,
                    char            **out_secret,
                    gint64           *out_expires,
                    GCancellable     *cancellable,
                    GError          **error)
{
  g_autofree char *account = g_strdup_printf ("%" G_GINT64_FORMAT, account_id);
  g_autoptr(SecretValue) value = NULL;
  SecretRetrievable *newest = NULL;
  gint64 newest_expires = G_MININT64;
  GError *local_error = NULL;
  GList *items;

  items = secret_password_search_sync (&token_schema,
                                       SECRET_SEARCH_ALL | SECRET_SEARCH_UNLOCK | SECRET_SEARCH_LOAD_SECRETS,
                                       cancellable, &local_error,
                                       "account", account,
                                       "kind", ember_token_kind_to_string (kind),
                                       NULL);
  if (local_error != NULL)
    return propagate_secret_error (error, local_error, "read the sign-in");

  /* Two items only exist after a crash in the middle of a store: the one
   * that expires last is the newer. */
  for (GList *l = items; l != NULL; l = l->next)
    {
      gint64 item_expires = item_get_expires (l->data);

      if (item_expires > newest_expires)
        {
          newest = l->data;
          newest_expires = item_expires;
        }
    }

  *out_secret = NULL;
  *out_expires = 0;

  if (newest != NULL)
    {
      value = secret_retrievable_retrieve_secret_sync (newest, cancellable, &local_error);
      if (local_error != NULL)
        {
          g_list_free_full (items, g_object_unref);
          return propagate_secret_error (error, local_error, "read the sign-in");
        }
      if (value != NULL && secret_value_get_text (value) != NULL)
        {
          *out_secret = g_strdup (secret_value_get_text (value));
          *out_expires = newest_expires;
        }
    }

  g_list_free_full (items, g_object_unref);
  return TRUE;
}

static gboolean
secret_delete_sync (EmberTokenStore  *store,
                    gint64            account_id,
                    EmberTokenKind    kind,
                    GCancellable     *cancellable,
                    GError          **error)
{
  g_autofree char *account = g_strdup_printf ("%" G_GINT64_FORMAT, account_id);
  GError *local_error = NULL;

  /* FALSE without an error means nothing matched. */
  if (!secret_password_clear_sync (&token_schema, cancellable, &local_error,
                                   "account", account,
                                   "kind", ember_token_kind_to_string (kind),
                                   NULL) &&
      local_error != NULL)
    return propagate_secret_error (error, local_error, "delete the sign-in");

  return TRUE;
}

static gboolean
secret_clear_sync (EmberTokenStore  *store,
                   gint64            account_id,
                   GCancellable     *cancellable,
                   GError          **error)
{
  g_autofree char *account = g_strdup_printf ("%" G_GINT64_FORMAT, account_id);
  GError *local_error = NULL;

  if (!secret_password_clear_sync (&token_schema, cancellable, &local_error,
                                   "account", account,
                                   NULL) &&
      local_error != NULL)
    return propagate_secret_error (error, local_error, "delete the sign-in");

  return TRUE;
}

static void
token_store_iface_init (EmberTokenStoreInterface *iface)
{
  iface->store_sync = secret_store_sync;
  iface->lookup_sync = secret_lookup_sync;
  iface->delete_sync = secret_delete_sync;
  iface->clear_sync = secret_clear_sync;
}

static void
ember_secret_token_store_class_init (EmberSecretTokenStoreClass *klass)
{
}

static void
ember_secret_token_store_init (EmberSecretTokenStore *self)
{
}

EmberTokenStore *
ember_secret_token_store_new (void)
{
  return g_object_new (EMBER_TYPE_SECRET_TOKEN_STORE, NULL);
}
