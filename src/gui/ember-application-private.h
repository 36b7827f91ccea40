/* ember-application-private.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "ember-application.h"

G_BEGIN_DECLS

void _ember_application_install_actions (EmberApplication *self);

G_END_DECLS
