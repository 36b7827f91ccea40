/* ember-secret-token-store.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ember-secrets"

#include "config.h"

#include <string.h>

#include <json-glib/json-glib.h>
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

  /* No session bus: GIO cannot find or autolaunch one. A slow keyring is
   * another matter. */
  if (error->domain == G_IO_ERROR)
    return !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);

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

/* An access token travels with its expiry, as {"token": …, "expires": …};
 * refresh tokens and client secrets are stored as they are. */
static char *
wrap_secret (const char *secret,
             gint64      expires)
{
  g_autoptr(JsonBuilder) builder = NULL;
  g_autoptr(JsonGenerator) generator = NULL;
  g_autoptr(JsonNode) root = NULL;

  if (expires == 0)
    return g_strdup (secret);

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "token");
  json_builder_add_string_value (builder, secret);
  json_builder_set_member_name (builder, "expires");
  json_builder_add_int_value (builder, expires);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  generator = json_generator_new ();
  json_generator_set_root (generator, root);
  return json_generator_to_data (generator, NULL);
}

static char *
unwrap_secret (const char *value,
               gint64     *out_expires)
{
  g_autoptr(JsonParser) parser = NULL;
  JsonNode *root;
  JsonObject *object;

  *out_expires = 0;
  if (value[0] != '{')
    return g_strdup (value);

  parser = json_parser_new ();
  if (!json_parser_load_from_data (parser, value, -1, NULL) ||
      (root = json_parser_get_root (parser)) == NULL ||
      !JSON_NODE_HOLDS_OBJECT (root) ||
      json_object_get_string_member_with_default ((object = json_node_get_object (root)), "token", NULL) == NULL)
    return g_strdup (value);

  *out_expires = json_object_get_int_member_with_default (object, "expires", 0);
  return g_strdup (json_object_get_string_member (object, "token"));
}

static void
wipe_and_free (char *text)
{
  if (text != NULL)
    memset (text, 0, strlen (text));
  g_free (text);
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
  g_autofree char *label = NULL;
  const char *kind_text = ember_token_kind_to_string (kind);
  GError *local_error = NULL;
  char *value;
  gboolean stored;

  label = g_strdup_printf ("Ember sign-in, account %s (%s)", account, kind_text);
  value = wrap_secret (secret, expires);

  /* Same attributes: the item is replaced in place, so the account is
   * never without a token, even after a crash. */
  stored = secret_password_store_sync (&token_schema, SECRET_COLLECTION_DEFAULT, label, value,
                                       cancellable, &local_error,
                                       "account", account,
                                       "kind", kind_text,
                                       NULL);
  wipe_and_free (value);

  if (!stored)
    return propagate_secret_error (error, local_error, "save the sign-in");

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
  GError *local_error = NULL;
  char *value;

  value = secret_password_lookup_sync (&token_schema, cancellable, &local_error,
                                       "account", account,
                                       "kind", ember_token_kind_to_string (kind),
                                       NULL);
  if (local_error != NULL)
    return propagate_secret_error (error, local_error, "read the sign-in");

  *out_secret = NULL;
  *out_expires = 0;
  if (value != NULL)
    {
      *out_secret = unwrap_secret (value, out_expires);
      secret_password_free (value);
    }

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
