/* test-main-loop-probe.h: a Gmail sync driven through EmberSyncManager
 * while a main-loop probe (ember-main-loop-probe.h) measures it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "ember-main-loop-probe.h"
#include "test-gmail-fixture.h"

G_BEGIN_DECLS

typedef struct
{
  MainLoopLateness lateness;
  double           seconds;
  guint            n_progress;      /* "progress" signals heard */
  guint            new_messages;    /* from "account-synced" */
} ManagerSyncResult;

/* Adds the fixture's account to a new EmberSyncManager (its provider
 * shares the fixture's endpoints), syncs it on the thread-default main
 * context while a probe measures it, and asserts that the sync went
 * well. */
void           gmail_fixture_sync_through_manager (GmailFixture      *fixture,
                                                   ManagerSyncResult *result);

G_END_DECLS
