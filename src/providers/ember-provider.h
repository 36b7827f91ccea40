/* ember-provider.h: one mail + calendar provider for one account
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "ember-sync-report.h"

G_BEGIN_DECLS

#define EMBER_TYPE_PROVIDER (ember_provider_get_type ())
G_DECLARE_INTERFACE (EmberProvider, ember_provider, EMBER, PROVIDER, GObject)

/* A provider object is bound to one account (and to the store and HTTP
 * client it was made with). Both sync calls block and run in a worker
 * thread; they commit each page with its cursor, so returning early (error
 * or cancellation) loses nothing that was committed and the next call
 * resumes from there. */
struct _EmberProviderInterface
{
  GTypeInterface parent_iface;

  gboolean (*sync_mail)     (EmberProvider   *self,
                             EmberSyncReport *report,
                             GCancellable    *cancellable,
                             GError         **error);
  gboolean (*sync_calendar) (EmberProvider   *self,
                             EmberSyncReport *report,
                             GCancellable    *cancellable,
                             GError         **error);
};

gboolean ember_provider_sync_mail     (EmberProvider   *self,
                                       EmberSyncReport *report,
                                       GCancellable    *cancellable,
                                       GError         **error);
gboolean ember_provider_sync_calendar (EmberProvider   *self,
                                       EmberSyncReport *report,
                                       GCancellable    *cancellable,
                                       GError         **error);

G_END_DECLS
