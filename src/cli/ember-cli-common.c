/* ember-cli-common.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ember-cli"

#include "config.h"

#include <glib-unix.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>

#include "ember-cli-private.h"
#include "ember-user-error.h"

EmberStore *
ember_cli_get_store (EmberCli  *cli,
                     GError   **error)
{
  if (cli->store == NULL)
    cli->store = ember_store_new_sync (cli->data_dir, cli->cancellable, error);

  return cli->store;
}

int
ember_cli_fail (const GError *error)
{
  g_autoptr(EmberUserError) user_error = ember_user_error_new_from_error (error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_printerr ("ember-cli: Cancelled\n");
      return EMBER_CLI_EXIT_FAILURE;
    }

  if (user_error->details != NULL && *user_error->details != '\0')
    g_printerr ("ember-cli: %s (%s)\n", user_error->message, user_error->details);
  else
    g_printerr ("ember-cli: %s\n", user_error->message);

  return EMBER_CLI_EXIT_FAILURE;
}

int
ember_cli_usage (const char *command,
                 const char *format,
                 ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  g_printerr ("ember-cli: %s\n", message);
  g_printerr ("Run “ember-cli %s--help” for usage.\n", command != NULL ? command : "");

  return EMBER_CLI_EXIT_USAGE;
}

void
ember_cli_print_json (JsonNode *node)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autofree char *text = NULL;

  json_generator_set_root (generator, node);
  json_generator_set_pretty (generator, TRUE);
  text = json_generator_to_data (generator, NULL);
  g_print ("%s\n", text);
}

char *
ember_cli_format_time (gint64 unix_seconds)
{
  g_autoptr(GDateTime) time = g_date_time_new_from_unix_utc (unix_seconds);

  if (time == NULL)
    return g_strdup ("");
  return g_date_time_format (time, "%Y-%m-%dT%H:%M:%SZ");
}

typedef struct
{
  GThreadFunc  func;
  gpointer     data;
  GMainLoop   *loop;
} ThreadRun;

static gboolean
quit_loop_cb (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_REMOVE;
}

static gpointer
thread_run_func (gpointer data)
{
  ThreadRun *run = data;

  run->func (run->data);
  g_main_context_invoke (NULL, quit_loop_cb, run->loop);
  return NULL;
}

static gboolean
signal_cb (gpointer data)
{
  EmberCli *cli = data;

  g_cancellable_cancel (cli->cancellable);
  return G_SOURCE_CONTINUE;
}

void
ember_cli_run_in_thread (EmberCli    *cli,
                         GThreadFunc  func,
                         gpointer     data)
{
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  ThreadRun run = { func, data, loop };
  guint sigint_id, sigterm_id;
  GThread *thread;

  sigint_id = g_unix_signal_add (SIGINT, signal_cb, cli);
  sigterm_id = g_unix_signal_add (SIGTERM, signal_cb, cli);

  thread = g_thread_new ("ember-cli-worker", thread_run_func, &run);
  g_main_loop_run (loop);
  g_thread_join (thread);

  g_source_remove (sigint_id);
  g_source_remove (sigterm_id);
}
