/* ember-token-store.h: where OAuth tokens live (never SQLite, never files)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef enum
{
  EMBER_TOKEN_KIND_REFRESH,
  EMBER_TOKEN_KIND_ACCESS,
  EMBER_TOKEN_KIND_CLIENT_SECRET,
} EmberTokenKind;

/* "refresh", "access", "client-secret": the keyring's "kind" attribute. */
const char *ember_token_kind_to_string (EmberTokenKind kind);

#define EMBER_TYPE_TOKEN_STORE (ember_token_store_get_type ())
G_DECLARE_INTERFACE (EmberTokenStore, ember_token_store, EMBER, TOKEN_STORE, GObject)

/* Implementations must be safe to call from several threads at once. */
struct _EmberTokenStoreInterface
{
  GTypeInterface parent_iface;

  gboolean (*store_sync)  (EmberTokenStore  *self,
                           gint64            account_id,
                           EmberTokenKind    kind,
                           const char       *secret,
                           gint64            expires,
                           GCancellable     *cancellable,
                           GError          **error);
  gboolean (*lookup_sync) (EmberTokenStore  *self,
                           gint64            account_id,
                           EmberTokenKind    kind,
                           char            **out_secret,
                           gint64           *out_expires,
                           GCancellable     *cancellable,
                           GError          **error);
  gboolean (*delete_sync) (EmberTokenStore  *self,
                           gint64            account_id,
                           EmberTokenKind    kind,
                           GCancellable     *cancellable,
                           GError          **error);
  gboolean (*clear_sync)  (EmberTokenStore  *self,
                           gint64            account_id,
                           GCancellable     *cancellable,
                           GError          **error);
};

/* Saves (replacing) the @kind secret of an account. @expires is epoch
 * seconds (UTC) when the secret stops working, 0 when unknown or never. */
gboolean ember_token_store_store_sync  (EmberTokenStore  *self,
                                        gint64            account_id,
                                        EmberTokenKind    kind,
                                        const char       *secret,
                                        gint64            expires,
                                        GCancellable     *cancellable,
                                        GError          **error);
/* TRUE with *@out_secret set to NULL when nothing is stored. Every secret
 * read is registered with ember_redact_register_secret(). */
gboolean ember_token_store_lookup_sync (EmberTokenStore  *self,
                                        gint64            account_id,
                                        EmberTokenKind    kind,
                                        char            **out_secret,
                                        gint64           *out_expires,
                                        GCancellable     *cancellable,
                                        GError          **error);
/* Deletes one kind of secret of an account; nothing stored is no error. */
gboolean ember_token_store_delete_sync (EmberTokenStore  *self,
                                        gint64            account_id,
                                        EmberTokenKind    kind,
                                        GCancellable     *cancellable,
                                        GError          **error);
/* Deletes every secret of an account. */
gboolean ember_token_store_clear_sync  (EmberTokenStore  *self,
                                        gint64            account_id,
                                        GCancellable     *cancellable,
                                        GError          **error);

G_END_DECLS
