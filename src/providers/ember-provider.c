/* ember-provider.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ember-providers"

#include "config.h"

#include "ember-provider.h"

G_DEFINE_INTERFACE (EmberProvider, ember_provider, G_TYPE_OBJECT)

static void
ember_provider_default_init (EmberProviderInterface *iface)
{
}

gboolean
ember_provider_sync_mail (EmberProvider   *self,
                          EmberSyncReport *report,
                          GCancellable    *cancellable,
                          GError         **error)
{
  g_return_val_if_fail (EMBER_IS_PROVIDER (self), FALSE);
  g_return_val_if_fail (EMBER_IS_SYNC_REPORT (report), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return EMBER_PROVIDER_GET_IFACE (self)->sync_mail (self, report, cancellable, error);
}

gboolean
ember_provider_sync_calendar (EmberProvider   *self,
                              EmberSyncReport *report,
                              GCancellable    *cancellable,
                              GError         **error)
{
  g_return_val_if_fail (EMBER_IS_PROVIDER (self), FALSE);
  g_return_val_if_fail (EMBER_IS_SYNC_REPORT (report), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return EMBER_PROVIDER_GET_IFACE (self)->sync_calendar (self, report, cancellable, error);
}
