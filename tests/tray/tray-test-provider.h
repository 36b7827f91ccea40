/* tray-test-provider.h: a provider whose syncs do what the test says, and a
 * store + sync manager around it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "ember-store.h"
#include "ember-sync-manager.h"

G_BEGIN_DECLS

typedef enum
{
  TRAY_SCRIPT_SUCCEED,     /* store what was queued, report it */
  TRAY_SCRIPT_BLOCK,       /* report progress, then wait for release or cancel */
  TRAY_SCRIPT_FAIL_SIGN_IN,/* the refresh token was revoked */
  TRAY_SCRIPT_FAIL_SERVER, /* a 503 */
} TrayScript;

void     tray_test_provider_reset         (void);
void     tray_test_provider_set_script    (TrayScript  script);
/* The next successful mail sync stores a message from @sender (name) in
 * the inbox and reports it as new. */
void     tray_test_provider_queue_message (const char *sender,
                                           const char *subject);
/* The calendar's default reminder is 10 minutes. */
#define TRAY_REMINDER_DEFAULT (-1)
#define TRAY_REMINDER_NONE    (-2)
/* The next successful calendar sync stores this timed event (UTC
 * seconds) with a popup reminder @reminder_minutes before it (or a
 * TRAY_REMINDER_ value), and reports it as changed. */
void     tray_test_provider_queue_event   (const char *summary,
                                           gint64      start,
                                           gint64      end,
                                           int         reminder_minutes);
/* Wakes the jobs waiting in TRAY_SCRIPT_BLOCK (and the ones to come). */
void     tray_test_provider_release       (void);
guint    tray_test_provider_get_calls     (void);
guint    tray_test_provider_get_blocked   (void);
guint    tray_test_provider_get_cancelled (void);
/* Iterates the main context until a job waits in TRAY_SCRIPT_BLOCK. */
gboolean tray_test_provider_wait_blocked  (guint        timeout_ms);

/* A store in a fresh folder under the test's tmpdir, with one Gmail
 * account @email (its API on 127.0.0.1, so it syncs offline too). */
EmberStore       *tray_test_store_new   (const char  *email,
                                         gint64      *out_account_id);
/* A manager over @store with the test provider, its accounts loaded. */
EmberSyncManager *tray_test_manager_new (EmberStore  *store);
/* Shuts @manager down (releasing blocked jobs) and waits for it. */
void              tray_test_manager_shutdown (EmberSyncManager *manager);

G_END_DECLS
