/* ember-screenshot.h: `ember --demo --screenshot-view=NAME --screenshot-file=PNG`
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A debug mode for build-aux/screenshots.sh, honoured only in demo mode so
 * it never runs on a person's data: once the demo has synced (for
 * "syncing": while it syncs), Ember shows one view, lets it settle, saves
 * the window that shows it as a PNG and quits. Views: main, message,
 * agenda, search, accounts, account, syncing, narrow. The window size comes
 * from EMBER_SCREENSHOT_SIZE (WxH, default 1100x720; "narrow" is 360 wide).
 */
#pragma once

#include "ember-application.h"

G_BEGIN_DECLS

#define EMBER_TYPE_SCREENSHOT (ember_screenshot_get_type ())
G_DECLARE_FINAL_TYPE (EmberScreenshot, ember_screenshot, EMBER, SCREENSHOT, GObject)

/* Call from "handle-local-options", after ember_demo_enable (). FALSE with
 * @error for an unknown view. */
gboolean ember_screenshot_enable (EmberApplication  *app,
                                  const char        *view,
                                  const char        *path,
                                  GError           **error);

G_END_DECLS
