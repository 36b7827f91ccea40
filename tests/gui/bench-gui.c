/* bench-gui.c: how the window does with a big mailbox and a syncing demo
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Run with: build-aux/run-headless.sh BUILD --setup bench --suite bench --verbose bench-gui
 *
 * - cold start: the real `ember` binary, launched on a store of 100,000
 *   messages, until it has painted its first frame with rows in the list
 *   (EMBER_REPORT_FIRST_FRAME=1 makes it print when). Goal < 400 ms.
 * - memory: the whole 100,000-message list scrolled to its end, then
 *   VmRSS. Goal < 150 MB.
 * - stall: a 1 ms timer's lateness on the main loop while `ember --demo`
 *   signs in and syncs its two accounts, from the window's first frame on
 *   (that frame is the end of the cold start, measured above). Goal:
 *   worst < 16 ms.
 * - HTML mail: how long the reader takes to show the first message with
 *   HTML (loading the WebKit module, starting its web process) and the
 *   ones after it, and the main loop's worst lateness meanwhile.
 *
 * The 100,000-message store is made once and kept in the build tree
 * (tests/gui/bench-store-N); EMBER_BENCH_MESSAGES overrides the count.
 * Each case prints "BENCH ..." lines; none asserts a speed.
 */
#include "config.h"

#include <glib/gstdio.h>
#include <locale.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include "ember-demo.h"
#include "ember-gui-test-utils.h"
#include "ember-main-loop-probe.h"
#include "ember-message-list-model.h"
#include "ember-message-view-private.h"
#include "ember-test-utils.h"
#include "ember-window.h"

/* Bump when the generated mailbox changes, so old caches are remade. */
#define STORE_GENERATION 1
#define BASE_DATE        1764000000 /* 2025-11-24 */
#define N_LAUNCHES       5

static guint
n_bench_messages (void)
{
  const char *text = g_getenv ("EMBER_BENCH_MESSAGES");
  guint64 n;

  if (text != NULL && g_ascii_string_to_unsigned (text, 10, 1, G_MAXUINT, &n, NULL))
    return (guint) n;

  return 100000;
}

/* The mailbox */

static const char *words[] = {
  "quarterly", "report", "meeting", "budget", "review", "project", "update", "invoice",
  "schedule", "travel", "lunch", "notes", "draft", "contract", "design", "launch",
  "release", "feedback", "agenda", "proposal", "summary", "weekly", "team", "offsite",
  "customer", "question", "reminder", "plan", "roadmap", "hiring", "interview", "kitchen",
  "garden", "holiday", "photos", "weekend", "concert", "tickets", "flight", "hotel",
};

static const char *people[] = {
  "Ada Lovelace", "Alan Turing", "Grace Hopper", "Edsger Dijkstra", "Barbara Liskov",
  "Donald Knuth", "Frances Allen", "Ken Thompson", "Margaret Hamilton", "Dennis Ritchie",
  "Radia Perlman", "John McCarthy", "Hedy Lamarr", "Niklaus Wirth", "Karen Jones",
};

static char *
make_text (GRand *rand,
           guint  n_words)
{
  GString *text = g_string_new (NULL);

  for (guint i = 0; i < n_words; i++)
    {
      if (i > 0)
        g_string_append_c (text, ' ');
      g_string_append (text, words[g_rand_int_range (rand, 0, G_N_ELEMENTS (words))]);
    }
  text->str[0] = g_ascii_toupper (text->str[0]);

  return g_string_free (text, FALSE);
}

/* Message i is i * 5 minutes older than BASE_DATE; every tenth message
 * answers the one before it (one conversation row for two messages). */
static EmberMessageRecord *
make_message (GRand *rand,
              guint  i)
{
  EmberMessageRecord *message = ember_message_record_new ();
  const char *from = people[g_rand_int_range (rand, 0, G_N_ELEMENTS (people))];
  g_autofree char *address = g_ascii_strdown (from, -1);

  g_strdelimit (address, " ", '.');
  message->provider_id = g_strdup_printf ("bench-%08u", i);
  message->thread_id = g_strdup_printf ("thread-%08u", i % 10 == 9 ? i - 1 : i);
  message->internet_message_id = g_strdup_printf ("<%u@bench.example.test>", i);
  message->subject = make_text (rand, 3 + g_rand_int_range (rand, 0, 5));
  message->from_name = g_strdup (from);
  message->from_address = g_strdup_printf ("%s@example.test", address);
  message->to = g_strdup ("Bench User <bench@example.test>");
  message->date = BASE_DATE - (gint64) i * 300;
  message->snippet = make_text (rand, 18);
  message->body_text = make_text (rand, 60);
  message->unread = g_rand_int_range (rand, 0, 8) == 0;
  message->has_attachments = g_rand_int_range (rand, 0, 12) == 0;
  message->size = g_rand_int_range (rand, 2000, 80000);
  ember_message_record_add_folder_id (message, "INBOX");

  return message;
}

static void
fill_store (const char *data_dir,
            guint       n_messages)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EmberStore) store = ember_store_new_sync (data_dir, NULL, &error);
  g_autoptr(EmberAccountRecord) account = ember_account_record_new ();
  g_autoptr(EmberFolderPage) folders = ember_folder_page_new ("folders");
  g_autoptr(GRand) rand = g_rand_new_with_seed (8);
  EmberFolderRecord *folder;
  gint64 account_id;

  g_assert_no_error (error);
  account->provider = g_strdup ("gmail");
  account->email = g_strdup ("bench@example.test");
  /* Nothing listens there: syncs fail at once, without the network. */
  account->api_base = g_strdup ("http://127.0.0.1:9");
  account->auth_base = g_strdup ("http://127.0.0.1:9");
  account->client_id = g_strdup ("bench-client");
  account_id = ember_store_add_account_sync (store, account, NULL, &error);
  g_assert_no_error (error);

  folder = ember_folder_record_new ();
  folder->provider_id = g_strdup ("INBOX");
  folder->name = g_strdup ("INBOX");
  folder->kind = EMBER_FOLDER_KIND_INBOX;
  g_ptr_array_add (folders->folders, folder);
  folders->complete = TRUE;
  g_assert_true (ember_store_save_folder_page_sync (store, account_id, folders, NULL, &error));
  g_assert_no_error (error);

  for (guint first = 0; first < n_messages; first += 1000)
    {
      g_autoptr(EmberMessagePage) page = ember_message_page_new ("mail");

      for (guint i = first; i < MIN (first + 1000, n_messages); i++)
        g_ptr_array_add (page->messages, make_message (rand, i));
      g_assert_true (ember_store_save_message_page_sync (store, account_id, page, NULL, &error));
      g_assert_no_error (error);
    }
}

/* The bench stores hold files only (ember.db, its -wal and -shm, the stamp). */
static void
remove_dir (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir == NULL)
    return;
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *file = g_build_filename (path, name, NULL);

      g_assert_cmpint (g_unlink (file), ==, 0);
    }
  g_assert_cmpint (g_rmdir (path), ==, 0);
}

static void
copy_dir (const char *from,
          const char *to)
{
  g_autoptr(GDir) dir = g_dir_open (from, 0, NULL);
  const char *name;

  g_assert_nonnull (dir);
  g_assert_cmpint (g_mkdir_with_parents (to, 0700), ==, 0);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autoptr(GFile) source = g_file_new_build_filename (from, name, NULL);
      g_autoptr(GFile) target = g_file_new_build_filename (to, name, NULL);
      g_autoptr(GError) error = NULL;

      g_file_copy (source, target, G_FILE_COPY_OVERWRITE, NULL, NULL, NULL, &error);
      g_assert_no_error (error);
    }
}

/* Makes (once) the store of @n_messages in the build tree and returns its
 * data dir. */
static char *
cached_store_dir (guint n_messages)
{
  g_autofree char *name = g_strdup_printf ("bench-store-%u", n_messages);
  g_autofree char *dir = ember_test_build_path ("tests", "gui", name, NULL);
  g_autofree char *stamp = g_build_filename (dir, "generation", NULL);
  g_autofree char *contents = NULL;
  g_autofree char *expected = g_strdup_printf ("%d\n", STORE_GENERATION);
  g_autofree char *building = g_strconcat (dir, ".building", NULL);
  g_autofree char *building_stamp = g_build_filename (building, "generation", NULL);
  g_autoptr(GError) error = NULL;
  gint64 start;

  if (g_file_get_contents (stamp, &contents, NULL, NULL) && g_strcmp0 (contents, expected) == 0)
    {
      /* Brings an older schema up to date here, not in a timed start. */
      g_autoptr(EmberStore) store = g_initable_new (EMBER_TYPE_STORE, NULL, &error,
                                                    "data-dir", dir,
                                                    "check-integrity", FALSE,
                                                    NULL);

      g_assert_no_error (error);
      return g_steal_pointer (&dir);
    }

  start = g_get_monotonic_time ();
  remove_dir (building);
  remove_dir (dir);
  g_assert_cmpint (g_mkdir_with_parents (building, 0700), ==, 0);
  fill_store (building, n_messages);
  g_assert_true (g_file_set_contents (building_stamp, expected, -1, NULL));
  g_assert_cmpint (g_rename (building, dir), ==, 0);
  g_printerr ("# made the %u-message bench store in %.1f s (kept in %s)\n",
              n_messages, (g_get_monotonic_time () - start) / 1e6, dir);

  return g_steal_pointer (&dir);
}

/* A private copy in the case's XDG_DATA_HOME: the app writes to its store
 * (sync state), and every run should start from the same one. */
static void
install_store (void)
{
  g_autofree char *cache = cached_store_dir (n_bench_messages ());
  g_autofree char *target = g_build_filename (g_get_user_data_dir (), "ember", NULL);

  copy_dir (cache, target);
}

static gint64
read_status_kb (const char *field)
{
  g_autofree char *status = NULL;
  const char *line;

  g_assert_true (g_file_get_contents ("/proc/self/status", &status, NULL, NULL));
  line = strstr (status, field);
  g_assert_nonnull (line);
  return g_ascii_strtoll (line + strlen (field) + 1, NULL, 10);
}

/* Where resident memory goes: Rss summed per mapped file (anonymous
 * memory as one entry), the largest first. */
static void
print_rss_by_mapping (void)
{
  g_autofree char *smaps = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GHashTable) by_name = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GList) names = NULL;
  const char *current = "[anonymous]";
  guint shown = 0;

  g_assert_true (g_file_get_contents ("/proc/self/smaps", &smaps, NULL, NULL));
  lines = g_strsplit (smaps, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *line = lines[i];
      const char *dash = strchr (line, '-');
      const char *space = strchr (line, ' ');

      /* Attribute lines start "Name:"; mapping lines "start-end ". */
      if (dash != NULL && space != NULL && dash < space && g_ascii_isxdigit (line[0]))
        {
          /* "start-end perms offset dev inode   path" */
          g_auto(GStrv) fields = g_strsplit_set (line, " ", 6);
          const char *path = g_strv_length (fields) == 6 ? g_strstrip (fields[5]) : "";

          current = g_intern_string (*path != '\0' ? path : "[anonymous]");
        }
      else if (g_str_has_prefix (line, "Rss:"))
        {
          gint64 *kb = g_hash_table_lookup (by_name, current);

          if (kb == NULL)
            {
              kb = g_new0 (gint64, 1);
              g_hash_table_insert (by_name, g_strdup (current), kb);
            }
          *kb += g_ascii_strtoll (line + strlen ("Rss:"), NULL, 10);
        }
    }

  names = g_hash_table_get_keys (by_name);
  while (names != NULL && shown < (g_getenv ("EMBER_BENCH_ALL_MAPPINGS") ? 400 : 8))
    {
      const char *largest = NULL;
      gint64 largest_kb = -1;

      for (GList *l = names; l != NULL; l = l->next)
        {
          gint64 kb = *(gint64 *) g_hash_table_lookup (by_name, l->data);

          if (kb > largest_kb)
            {
              largest = l->data;
              largest_kb = kb;
            }
        }
      g_printerr ("#   %7.1f MB  %s\n", largest_kb / 1024.0, largest);
      names = g_list_remove (names, largest);
      shown++;
    }
}

/* Cold start */

typedef struct
{
  GMainLoop *loop;
  char      *line;
  gboolean   timed_out;
} LineWait;

static void
line_read_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  LineWait *wait = user_data;
  g_autoptr(GError) error = NULL;

  wait->line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (object), result, NULL, &error);
  g_assert_no_error (error);
  g_main_loop_quit (wait->loop);
}

static gboolean
line_timeout_cb (gpointer user_data)
{
  LineWait *wait = user_data;

  wait->timed_out = TRUE;
  g_main_loop_quit (wait->loop);
  return G_SOURCE_REMOVE;
}

/* Reads lines from @stream until one starts with @prefix; NULL when the
 * stream ends or @timeout_s pass first. */
static char *
wait_for_line (GDataInputStream *stream,
               const char       *prefix,
               guint             timeout_s)
{
  LineWait wait = { g_main_loop_new (NULL, FALSE), NULL, FALSE };
  guint timeout = g_timeout_add_seconds (timeout_s, line_timeout_cb, &wait);
  char *found = NULL;

  while (found == NULL && !wait.timed_out)
    {
      g_data_input_stream_read_line_async (stream, G_PRIORITY_DEFAULT, NULL, line_read_cb, &wait);
      g_main_loop_run (wait.loop);
      if (wait.line == NULL)
        break;
      if (g_str_has_prefix (wait.line, prefix))
        found = g_steal_pointer (&wait.line);
      g_clear_pointer (&wait.line, g_free);
    }

  if (!wait.timed_out)
    g_source_remove (timeout);
  g_main_loop_unref (wait.loop);
  return found;
}

/* CPU time (user + system, all threads) @pid has used, in ms: on a shared
 * machine wall time also says how busy the neighbours are. */
static double
process_cpu_ms (const char *pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%s/stat", pid);
  g_autofree char *stat = NULL;
  g_auto(GStrv) fields = NULL;
  const char *after_name;

  g_assert_true (g_file_get_contents (path, &stat, NULL, NULL));
  /* Fields after the ")" that ends the command name: state is field 3,
   * utime 14 and stime 15. */
  after_name = strrchr (stat, ')');
  g_assert_nonnull (after_name);
  fields = g_strsplit (after_name + 2, " ", -1);
  g_assert_cmpuint (g_strv_length (fields), >, 13);

  return (g_ascii_strtod (fields[11], NULL) + g_ascii_strtod (fields[12], NULL)) * 1000.0 / sysconf (_SC_CLK_TCK);
}

/* Quits `ember` through its app.quit action on the session bus, as the
 * desktop would: a killed Ember checks its whole database at the next
 * start. */
static void
quit_ember (GSubprocess *process)
{
  g_autoptr(GDBusConnection) bus = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_strconcat ("/", APP_ID, NULL);

  g_strdelimit (path, ".", '/');
  bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, &error);
  g_assert_no_error (error);
  reply = g_dbus_connection_call_sync (bus, APP_ID, path, "org.gtk.Actions", "Activate",
                                       g_variant_new_parsed ("('quit', @av [], @a{sv} {})"),
                                       NULL, G_DBUS_CALL_FLAGS_NONE, 30000, NULL, &error);
  g_assert_no_error (error);
  g_subprocess_wait (process, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (process));
}

/* One launch of `ember` on the bench store: ms from spawning it to its
 * first frame with rows, and the CPU time it took to get there. */
static double
launch_once (const char *ember,
             guint       run,
             double     *cpu_ms)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GDataInputStream) stdout_lines = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  const char *argv[] = { ember, NULL };
  gint64 spawned, painted;

  g_subprocess_launcher_setenv (launcher, "EMBER_REPORT_FIRST_FRAME", "1", TRUE);

  spawned = g_get_monotonic_time ();
  process = g_subprocess_launcher_spawnv (launcher, argv, &error);
  g_assert_no_error (error);
  stdout_lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (process));

  line = wait_for_line (stdout_lines, "EMBER_FIRST_FRAME ", 60);
  if (line == NULL)
    g_error ("expected `ember` (run %u) to print EMBER_FIRST_FRAME within 60 s", run);
  painted = g_ascii_strtoll (line + strlen ("EMBER_FIRST_FRAME "), NULL, 10);
  *cpu_ms = process_cpu_ms (g_subprocess_get_identifier (process));

  quit_ember (process);

  g_assert_cmpint (painted, >, spawned);
  return (painted - spawned) / 1000.0;
}

static int
compare_double (gconstpointer a,
                gconstpointer b)
{
  double x = *(const double *) a;
  double y = *(const double *) b;

  return x < y ? -1 : x > y;
}

static double
median (GArray *samples)
{
  g_array_sort (samples, compare_double);
  return g_array_index (samples, double, samples->len / 2);
}

static void
bench_cold_start (void)
{
  g_autofree char *ember = ember_test_build_path ("src", "gui", "ember", NULL);
  g_autoptr(GArray) wall = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) cpu = g_array_new (FALSE, FALSE, sizeof (double));
  double first = 0, best = G_MAXDOUBLE;

  install_store ();

  for (guint i = 0; i < N_LAUNCHES; i++)
    {
      double cpu_ms;
      double ms = launch_once (ember, i, &cpu_ms);

      g_array_append_val (wall, ms);
      g_array_append_val (cpu, cpu_ms);
      if (i == 0)
        first = ms;
      best = MIN (best, ms);
      g_test_message ("launch %u: first frame with rows after %.0f ms, %.0f ms of CPU", i + 1, ms, cpu_ms);
    }

  /* The first launch also reads the store and the libraries from disk. */
  g_printerr ("BENCH gui cold start to first frame with rows, %u messages: median of %u %.0f ms "
              "(first %.0f ms, best %.0f ms; CPU used by then, median %.0f ms) (goal < 400 ms)\n",
              n_bench_messages (), N_LAUNCHES, median (wall), first, best, median (cpu));
}

/* Memory after scrolling */

static GtkListView *
find_message_list (GtkWindow *window)
{
  return GTK_LIST_VIEW (ember_gui_test_find_widget (GTK_WIDGET (window), GTK_TYPE_LIST_VIEW, NULL, NULL));
}

static GListModel *
list_items (GtkWindow *window)
{
  GtkSelectionModel *selection = gtk_list_view_get_model (find_message_list (window));

  return gtk_single_selection_get_model (GTK_SINGLE_SELECTION (selection));
}

static gboolean
list_has_rows (gpointer data)
{
  GListModel *model = list_items (data);

  return model != NULL && g_list_model_get_n_items (model) > 0;
}

typedef struct
{
  GListModel *model;
  guint       n;
} GrowWait;

/* Rows came in, or there are no more to read. */
static gboolean
list_grew_or_ended (gpointer data)
{
  GrowWait *wait = data;

  return g_list_model_get_n_items (wait->model) > wait->n ||
         (ember_message_list_model_get_complete (EMBER_MESSAGE_LIST_MODEL (wait->model)) &&
          !ember_message_list_model_get_loading (EMBER_MESSAGE_LIST_MODEL (wait->model)));
}

static void
bench_scroll_memory (void)
{
  EmberApplication *app;
  GtkWindow *window;
  GtkWidget *scrolled;
  GtkAdjustment *adjustment;
  GListModel *model;
  guint n_steps = 0;
  gint64 rss_start, start;

  install_store ();
  app = ember_gui_test_start_app ();
  window = ember_gui_test_wait_for_window (EMBER_TYPE_WINDOW, 10000);
  g_assert_nonnull (window);
  g_assert_true (ember_test_wait_for (list_has_rows, window, 60000));
  ember_test_spin (500);
  rss_start = read_status_kb ("VmRSS:");

  model = list_items (window);
  g_assert_true (EMBER_IS_MESSAGE_LIST_MODEL (model));
  scrolled = gtk_widget_get_ancestor (GTK_WIDGET (find_message_list (window)), GTK_TYPE_SCROLLED_WINDOW);
  adjustment = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scrolled));

  /* Down to the end in steps: each jump to the bottom makes the list ask
   * for the rows there, and the model reads on; a frame later the list
   * knows its new length. */
  start = g_get_monotonic_time ();
  for (;;)
    {
      EmberMessageListModel *list_model = EMBER_MESSAGE_LIST_MODEL (model);
      GrowWait wait = { model, g_list_model_get_n_items (model) };
      double end = gtk_adjustment_get_upper (adjustment) - gtk_adjustment_get_page_size (adjustment);

      gtk_adjustment_set_value (adjustment, end);
      n_steps++;
      ember_test_wait_for (list_grew_or_ended, &wait, 100);
      ember_test_spin (20);

      /* All read, all shown (the model hands rows over in batches), and
       * the view at its end. */
      if (ember_message_list_model_get_complete (list_model) &&
          !ember_message_list_model_get_loading (list_model) &&
          g_list_model_get_n_items (model) == wait.n &&
          gtk_adjustment_get_value (adjustment) >=
            gtk_adjustment_get_upper (adjustment) - gtk_adjustment_get_page_size (adjustment) - 1)
        break;
      g_assert_cmpint (g_get_monotonic_time () - start, <, 400 * G_USEC_PER_SEC);
    }
  /* Let the last rows draw. */
  ember_test_spin (300);

  g_test_message ("scrolled %u rows in %u steps, %.1f s", g_list_model_get_n_items (model), n_steps,
                  (g_get_monotonic_time () - start) / 1e6);
  /* Every message is in: 9 in 10 rows are one message, 1 in 10 two. */
  g_assert_cmpuint (g_list_model_get_n_items (model), >=, n_bench_messages () * 9 / 10);
  g_assert_cmpfloat (gtk_adjustment_get_value (adjustment), >,
                     gtk_adjustment_get_upper (adjustment) - 2 * gtk_adjustment_get_page_size (adjustment));

  /* RssFile is mostly shared libraries (with Xvfb, Mesa's llvmpipe and
   * its LLVM too); RssAnon is this process's own memory. */
  g_printerr ("BENCH gui resident memory after scrolling all %u rows (%u messages): VmRSS %.1f MB "
              "(RssAnon %.1f MB, RssFile %.1f MB; %.1f MB before scrolling, peak %.1f MB) (goal < 150 MB)\n",
              g_list_model_get_n_items (model), n_bench_messages (),
              read_status_kb ("VmRSS:") / 1024.0, read_status_kb ("RssAnon:") / 1024.0,
              read_status_kb ("RssFile:") / 1024.0, rss_start / 1024.0, read_status_kb ("VmHWM:") / 1024.0);
  print_rss_by_mapping ();

  ember_gui_test_quit_app (app);
  g_object_unref (app);
}

/* Messages with HTML */

#define N_HTML_MESSAGES 6

/* A newsletter-sized page: ~30 KB of styled paragraphs and a table. */
static char *
make_html (GRand *rand,
           guint  n)
{
  GString *html = g_string_new ("<!DOCTYPE html><html><head><style>"
                                "body{font-family:sans-serif;margin:24px}"
                                "td{padding:4px 8px;border-bottom:1px solid #ddd}"
                                "</style></head><body>");

  g_string_append_printf (html, "<h1>Newsletter %u</h1>", n);
  for (guint i = 0; i < 40; i++)
    {
      g_autofree char *text = make_text (rand, 90);

      g_string_append_printf (html, "<p>%s</p>", text);
    }
  g_string_append (html, "<table>");
  for (guint i = 0; i < 30; i++)
    g_string_append_printf (html, "<tr><td>%s</td><td>%u</td></tr>",
                            words[g_rand_int_range (rand, 0, G_N_ELEMENTS (words))], i * 17);
  g_string_append (html, "</table></body></html>");

  return g_string_free (html, FALSE);
}

static gboolean
html_shown (gpointer data)
{
  EmberMessageView *view = data;
  EmberHtmlView *html_view = _ember_message_view_get_html_view (view);

  return !ember_message_view_get_loading (view) && html_view != NULL &&
         !ember_html_view_get_busy (html_view) &&
         g_strcmp0 (_ember_message_view_get_body_mode (view), "html") == 0;
}

static double
show_html_message (EmberMessageView *view,
                   gint64            id)
{
  gint64 start = g_get_monotonic_time ();

  ember_message_view_show_message (view, id);
  if (!ember_test_wait_for (html_shown, view, 60000))
    g_error ("expected message %" G_GINT64_FORMAT " shown as HTML within 60 s", id);

  return (g_get_monotonic_time () - start) / 1000.0;
}

static void
bench_html_message (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);
  g_autofree char *dir = g_build_filename (ember_test_get_tmpdir (), "html-store", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(EmberStore) store = NULL;
  g_autoptr(EmberMessagePage) page = ember_message_page_new ("mail");
  g_autoptr(GArray) later = g_array_new (FALSE, FALSE, sizeof (double));
  gint64 ids[N_HTML_MESSAGES];
  MainLoopLateness lateness;
  MainLoopProbe *probe;
  EmberMessageView *view;
  GtkWindow *window;
  gint64 account_id;
  double first;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  store = ember_store_new_sync (dir, NULL, &error);
  g_assert_no_error (error);
  account_id = ember_gui_test_add_offline_account (store);
  ember_gui_test_save_inbox_and_label (store, account_id);
  for (guint i = 0; i < N_HTML_MESSAGES; i++)
    {
      EmberMessageRecord *message = ember_message_record_new ();

      message->provider_id = g_strdup_printf ("html%u", i);
      message->subject = g_strdup_printf ("Newsletter %u", i);
      message->from_address = g_strdup ("news@example.test");
      message->date = BASE_DATE + i;
      message->snippet = make_text (rand, 18);
      message->body_html = make_html (rand, i);
      ember_message_record_add_folder_id (message, "INBOX");
      g_ptr_array_add (page->messages, message);
    }
  g_assert_true (ember_store_save_message_page_sync (store, account_id, page, NULL, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < N_HTML_MESSAGES; i++)
    {
      g_autofree char *provider_id = g_strdup_printf ("html%u", i);
      g_autoptr(EmberMessageRecord) message = ember_store_find_message_sync (store, account_id, provider_id,
                                                                            NULL, &error);

      g_assert_no_error (error);
      ids[i] = message->id;
    }

  window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_default_size (window, 900, 700);
  view = EMBER_MESSAGE_VIEW (ember_message_view_new ());
  ember_message_view_set_store (view, store);
  gtk_window_set_child (window, GTK_WIDGET (view));
  gtk_window_present (window);
  ember_gui_test_wait_for_frame (GTK_WIDGET (view));
  ember_test_spin (500);

  probe = main_loop_probe_start (NULL);
  first = show_html_message (view, ids[0]);
  main_loop_probe_stop (probe, &lateness);
  for (guint i = 1; i < N_HTML_MESSAGES; i++)
    {
      double ms = show_html_message (view, ids[i]);

      g_array_append_val (later, ms);
    }

  g_printerr ("BENCH gui first message with HTML shown after %.0f ms (loads WebKit, starts its web "
              "process; main loop worst %.1f ms late, %.1f ms of it blocked), the next %u: median %.0f ms\n",
              first, lateness.worst_us / 1000.0, lateness.worst_blocked_us / 1000.0,
              later->len, median (later));

  gtk_window_destroy (window);
  ember_test_spin (200);
}

/* Main-loop stalls while the demo syncs */

#define STALL_SLICE_SECONDS 30

typedef struct
{
  EmberApplication *app;
  MainLoopProbe    *probe;
  MainLoopLateness  lateness;
  gint64            started;
  gint64            synced;
  /* The slowest frame: its phases' µs (update, layout, paint) and end. */
  gint64            phase_start;
  gint64            phases[3];
  gint64            frame_phases[3];
  gint64            worst_frame;
  gint64            worst_frame_at;
  gint64            first_frame;
  gboolean          hooked;
} StallRun;

static void
start_measuring (StallRun *run)
{
  run->started = g_get_monotonic_time ();
  run->probe = main_loop_probe_start (NULL);
}

static void
frame_started_cb (GdkFrameClock *clock,
                  gpointer       data)
{
  StallRun *run = data;

  run->phase_start = g_get_monotonic_time ();
}

/* Each phase's handler runs after GTK's own (connected later). */
static void
frame_phase_done (StallRun *run,
                  guint     index)
{
  gint64 now = g_get_monotonic_time ();

  run->frame_phases[index] = now - run->phase_start;
  run->phase_start = now;
}

static void
update_done_cb (GdkFrameClock *clock,
                gpointer       data)
{
  frame_phase_done (data, 0);
}

static void
layout_done_cb (GdkFrameClock *clock,
                gpointer       data)
{
  frame_phase_done (data, 1);
}

/* EMBER_BENCH_SLOW_FRAMES=N prints each frame over N ms (1: over 16 ms),
 * in µs; unset, none. */
static gint64
slow_frame_threshold (void)
{
  const char *value = g_getenv ("EMBER_BENCH_SLOW_FRAMES");
  gint64 ms;

  if (value == NULL)
    return G_MAXINT64;
  ms = g_ascii_strtoll (value, NULL, 10);

  return (ms <= 1 ? 16 : ms) * 1000;
}

static void
paint_done_cb (GdkFrameClock *clock,
               gpointer       data)
{
  StallRun *run = data;
  gint64 total;

  frame_phase_done (run, 2);
  total = run->frame_phases[0] + run->frame_phases[1] + run->frame_phases[2];
  /* The window's first frame ends the cold start (the cold-start case
   * measures it): the person waits for the window, not on a sync. */
  if (run->started == 0)
    {
      run->first_frame = total;
      start_measuring (run);
      return;
    }
  if (total > slow_frame_threshold () && ember_gui_test_find_window (EMBER_TYPE_WINDOW) != NULL)
    {
      GtkWindow *window = ember_gui_test_find_window (EMBER_TYPE_WINDOW);
      GtkWidget *list = ember_gui_test_find_widget (GTK_WIDGET (window), GTK_TYPE_LIST_VIEW, NULL, NULL);
      GtkSelectionModel *model = list ? gtk_list_view_get_model (GTK_LIST_VIEW (list)) : NULL;
      GtkWidget *stack = ember_gui_test_find_widget (GTK_WIDGET (window), GTK_TYPE_STACK, NULL, NULL);

      g_printerr ("# slow frame %.1f ms at %.2f s (ended %.6f s monotonic): layout %.1f paint %.1f; stack %s; %u rows; list %s; title %s\n",
                  total / 1000.0, (g_get_monotonic_time () - run->started) / 1e6, g_get_monotonic_time () / 1e6,
                  run->frame_phases[1] / 1000.0, run->frame_phases[2] / 1000.0,
                  stack ? gtk_stack_get_visible_child_name (GTK_STACK (stack)) : "-",
                  model ? g_list_model_get_n_items (G_LIST_MODEL (model)) : 0,
                  list && gtk_widget_get_mapped (list) ? "mapped" : "unmapped",
                  gtk_window_get_title (window));
    }
  if (total > run->worst_frame)
    {
      run->worst_frame = total;
      run->worst_frame_at = g_get_monotonic_time () - run->started;
      memcpy (run->phases, run->frame_phases, sizeof run->phases);
    }
}

/* Both demo accounts signed in and synced once. */
static gboolean
demo_synced (StallRun *run)
{
  EmberDemo *demo = ember_demo_get (run->app);
  EmberSyncManager *manager = ember_application_get_sync_manager (run->app);
  g_autoptr(GArray) accounts = NULL;

  if (demo == NULL || manager == NULL || ember_demo_get_n_signed_in (demo) < 2)
    return FALSE;

  accounts = ember_sync_manager_list_accounts (manager);
  for (guint i = 0; i < accounts->len; i++)
    {
      gint64 id = g_array_index (accounts, gint64, i);

      if (ember_sync_manager_get_account_last_success (manager, id) == 0 ||
          ember_sync_manager_get_account_status (manager, id) != EMBER_SYNC_STATUS_IDLE)
        return FALSE;
    }

  return accounts->len == 2;
}

static gboolean
watch_cb (gpointer data)
{
  StallRun *run = data;
  gint64 now = g_get_monotonic_time ();

  if (!run->hooked)
    {
      GtkWindow *window = ember_gui_test_find_window (EMBER_TYPE_WINDOW);
      GdkFrameClock *clock;

      if (window == NULL || !gtk_widget_get_mapped (GTK_WIDGET (window)))
        return G_SOURCE_CONTINUE;
      clock = gtk_widget_get_frame_clock (GTK_WIDGET (window));
      g_signal_connect (clock, "before-paint", G_CALLBACK (frame_started_cb), run);
      g_signal_connect (clock, "update", G_CALLBACK (update_done_cb), run);
      g_signal_connect (clock, "layout", G_CALLBACK (layout_done_cb), run);
      g_signal_connect (clock, "paint", G_CALLBACK (paint_done_cb), run);
      run->hooked = TRUE;
      /* Already drawn (rare): its first frame goes unmeasured. */
      if (gdk_frame_clock_get_frame_counter (clock) > 0)
        start_measuring (run);
      return G_SOURCE_CONTINUE;
    }

  if (run->started == 0)
    return G_SOURCE_CONTINUE;

  if (demo_synced (run) || now - run->started > STALL_SLICE_SECONDS * G_USEC_PER_SEC)
    {
      if (demo_synced (run))
        run->synced = now;
      main_loop_probe_stop (run->probe, &run->lateness);
      run->probe = NULL;
      g_action_group_activate_action (G_ACTION_GROUP (run->app), "quit", NULL);
      return G_SOURCE_REMOVE;
    }

  return G_SOURCE_CONTINUE;
}

static void
bench_demo_stall (void)
{
  char *argv[] = { (char *) "ember", (char *) "--demo", NULL };
  StallRun run = { NULL };
  int status;

  run.app = ember_application_new (APP_ID, G_APPLICATION_DEFAULT_FLAGS);
  g_timeout_add (20, watch_cb, &run);

  status = g_application_run (G_APPLICATION (run.app), G_N_ELEMENTS (argv) - 1, argv);
  g_assert_cmpint (status, ==, 0);
  g_assert_null (run.probe);
  g_assert_cmpuint (run.lateness.n_ticks, >, 100);

  /* In g_get_monotonic_time ()'s clock, which `perf record -k CLOCK_MONOTONIC`
   * also uses: where to look in a profile. */
  g_printerr ("# the worst stall ended at %.6f s (monotonic)\n", run.lateness.worst_at_us / 1e6);
  g_printerr ("# the slowest frame: %.1f ms at %.2f s (update %.1f, layout %.1f, paint %.1f ms)\n",
              run.worst_frame / 1000.0, run.worst_frame_at / 1e6,
              run.phases[0] / 1000.0, run.phases[1] / 1000.0, run.phases[2] / 1000.0);
  if (run.synced != 0)
    g_test_message ("the demo signed in and synced both accounts in %.1f s", (run.synced - run.started) / 1e6);
  /* Two cores run the demo's sync workers and fake server next to the
   * main thread: the main thread's own blocking is the lateness less the
   * time it waited for a CPU (run-queue wait, /proc/thread-self/schedstat). */
  g_printerr ("BENCH gui main-loop lateness while the demo syncs (%s after the window's first frame, "
              "which took %.1f ms and ends the cold start; %.1f s, %u ticks of a 1 ms timer): "
              "worst %.1f ms (from %.2f s on; %.1f ms less the wait for a CPU%s), p99 %.2f ms, p50 %.2f ms, "
              "%u ticks >= 16 ms (goal worst < 16 ms)\n",
              run.synced != 0 ? "first sync" : "first " G_STRINGIFY (STALL_SLICE_SECONDS) " s",
              run.first_frame / 1000.0,
              ((run.synced != 0 ? run.synced : run.started + STALL_SLICE_SECONDS * G_USEC_PER_SEC) - run.started) / 1e6,
              run.lateness.n_ticks,
              run.lateness.worst_us / 1000.0,
              (run.lateness.worst_at_us - run.lateness.worst_us - run.started) / 1e6,
              run.lateness.worst_blocked_us / 1000.0,
              run.lateness.has_run_queue ? "" : ": unknown here",
              run.lateness.p99_us / 1000.0, run.lateness.median_us / 1000.0, run.lateness.n_over_frame);

  g_clear_object (&run.app);
}

/* Each case in its own process, with room for the 100,000-row scroll. */
static void
run_in_subprocess (gconstpointer data)
{
  GTestFunc func = (GTestFunc) data;

  if (g_test_subprocess ())
    {
      func ();
      return;
    }

  g_test_trap_subprocess (NULL, 500 * G_USEC_PER_SEC,
                          G_TEST_SUBPROCESS_INHERIT_STDOUT | G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
}

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "C.UTF-8");
  g_setenv ("LANGUAGE", "C", TRUE);
  /* meson's MALLOC_PERTURB_ fills every allocation: slower, and it touches
   * pages a real run never would. The cases run in fresh processes. */
  g_unsetenv ("MALLOC_PERTURB_");
  g_unsetenv ("MALLOC_CHECK_");

  g_test_init (&argc, &argv, NULL);

  if (!ember_gui_test_init ())
    {
      g_printerr ("no display: skipping the GUI benchmarks\n");
      return 77;
    }

  /* Made here, so that the cases' processes only run the app. */
  if (!g_test_subprocess ())
    g_free (cached_store_dir (n_bench_messages ()));

  g_test_add_data_func ("/ember/gui/bench/cold-start", (gconstpointer) bench_cold_start, run_in_subprocess);
  g_test_add_data_func ("/ember/gui/bench/scroll-memory", (gconstpointer) bench_scroll_memory, run_in_subprocess);
  g_test_add_data_func ("/ember/gui/bench/demo-stall", (gconstpointer) bench_demo_stall, run_in_subprocess);
  g_test_add_data_func ("/ember/gui/bench/html-message", (gconstpointer) bench_html_message, run_in_subprocess);

  return g_test_run ();
}
