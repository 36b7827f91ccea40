/* test-message-view.c: the reader shows headers, attachments and bodies;
 * HTML runs no script, fetches nothing remote until asked, and never
 * follows a link itself
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <dlfcn.h>
#include <locale.h>
#include <string.h>

#include <gdk/x11/gdkx.h>
#include <libsoup/soup.h>
#include <webkit/webkit.h>

#include "ember-gui-test-utils.h"
#include "ember-message-view-private.h"
#include "ember-reader-html.h"
#include "ember-reader-web-view-private.h"
#include "ember-store.h"
#include "ember-test-utils.h"

#define WAIT_MS 20000

/* Pure helpers (no display needed) */

static void
test_remote_content_detection (void)
{
  const struct {
    const char *html;
    gboolean    remote;
  } cases[] = {
    { "<p>Hello</p>", FALSE },
    { "<img src=\"cid:logo@x\">", FALSE },
    { "<img src=\"data:image/png;base64,AAAA\">", FALSE },
    { "<a href=\"https://example.org/\">a link is not content</a>", FALSE },
    { "<p>see src=https://example.org in the text</p>", FALSE },
    { "<img src=\"https://tracker.example/p.gif\">", TRUE },
    { "<IMG SRC='HTTP://tracker.example/p.gif'>", TRUE },
    { "<img\nalt=x\nsrc=http://tracker.example/p.gif>", TRUE },
    { "<img srcset=\"a.png 1x, https://cdn.example/b.png 2x\">", TRUE },
    { "<td background=\"http://example.org/bg.png\">", TRUE },
    { "<div style=\"background:url('https://example.org/bg.png')\">", TRUE },
    { "<div style=\"background:url(&quot;https://example.org/bg.png&quot;)\">", TRUE },
    { "<style>@import \"https://example.org/s.css\";</style>", TRUE },
    { "<link rel=stylesheet href=\"https://example.org/s.css\">", TRUE },
    { "<base href=\"https://example.org/\">", TRUE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_test_message ("case %u: %s", i, cases[i].html);
      g_assert_cmpint (ember_reader_html_has_remote_content (cases[i].html), ==, cases[i].remote);
    }
}

static void
test_policy_goes_after_doctype (void)
{
  g_autofree char *with_doctype = ember_reader_html_add_policy ("<!DOCTYPE html>\n<p>x</p>", FALSE);
  g_autofree char *without = ember_reader_html_add_policy ("<p>x</p>", TRUE);

  g_assert_true (g_str_has_prefix (with_doctype, "<!DOCTYPE html><meta http-equiv=\"Content-Security-Policy\""));
  g_assert_nonnull (strstr (with_doctype, "img-src data:;"));
  g_assert_null (strstr (with_doctype, "https:"));
  g_assert_true (g_str_has_suffix (with_doctype, "\n<p>x</p>"));

  g_assert_true (g_str_has_prefix (without, "<meta http-equiv=\"Content-Security-Policy\""));
  g_assert_nonnull (strstr (without, "img-src data: http: https:"));
  g_assert_nonnull (strstr (without, "default-src 'none'"));
}

static void
test_text_links (void)
{
  const char *text = "See https://example.org/a?b=1&c=2, (or https://en.wikipedia.org/wiki/C_(language)) "
                     "and mailto:bob@example.com. Not https:// alone. Über http://x.example/ü.";
  const char *expected[] = {
    "https://example.org/a?b=1&c=2",
    "https://en.wikipedia.org/wiki/C_(language)",
    "mailto:bob@example.com",
    "http://x.example/ü",
  };
  g_autoptr(GArray) links = ember_reader_text_find_links (text);

  g_assert_cmpuint (links->len, ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < links->len; i++)
    {
      const EmberReaderLink *link = &g_array_index (links, EmberReaderLink, i);
      g_autofree char *span = g_strndup (text + link->start, link->end - link->start);

      g_assert_cmpstr (link->uri, ==, expected[i]);
      g_assert_cmpstr (span, ==, expected[i]);
    }
}

/* Fixtures */

typedef struct
{
  EmberStore *store;
  gint64      account_id;
} TestStore;

static void
test_store_free (TestStore *test_store)
{
  g_clear_object (&test_store->store);
  g_free (test_store);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TestStore, test_store_free)

static TestStore *
open_store (void)
{
  static guint n_stores;
  g_autofree char *name = g_strdup_printf ("%s-%u", g_test_get_path (), n_stores++);
  g_autofree char *dir = g_build_filename (ember_test_get_tmpdir (), g_strdelimit (name, "/", '-'), NULL);
  g_autoptr(EmberAccountRecord) account = ember_account_record_new ();
  g_autoptr(GError) error = NULL;
  TestStore *test_store = g_new0 (TestStore, 1);

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  test_store->store = ember_store_new_sync (dir, NULL, &error);
  g_assert_no_error (error);

  account->provider = g_strdup ("gmail");
  account->email = g_strdup ("me@example.com");
  test_store->account_id = ember_store_add_account_sync (test_store->store, account, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (test_store->account_id, >, 0);

  return test_store;
}

static EmberMessageRecord *
new_message (const char *provider_id,
             const char *subject)
{
  EmberMessageRecord *message = ember_message_record_new ();

  message->provider_id = g_strdup (provider_id);
  message->subject = g_strdup (subject);
  message->from_name = g_strdup ("Ann Sender");
  message->from_address = g_strdup ("ann@example.com");
  message->to = g_strdup ("Bob <bob@example.com>");
  message->date = 1795608000; /* 2026-11-25 12:00 UTC */
  message->snippet = g_strdup ("snippet");
  message->attachments_json = g_strdup ("[]");

  return message;
}

/* Saves @message (taking it) and returns its row id. */
static gint64
save_message (TestStore          *test_store,
              EmberMessageRecord *message)
{
  g_autoptr(EmberMessagePage) page = ember_message_page_new ("mail");
  g_autoptr(EmberMessageRecord) stored = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *provider_id = g_strdup (message->provider_id);

  g_ptr_array_add (page->messages, message);
  ember_store_save_message_page_sync (test_store->store, test_store->account_id, page, NULL, &error);
  g_assert_no_error (error);

  stored = ember_store_find_message_sync (test_store->store, test_store->account_id, provider_id,
                                          NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (stored);

  return stored->id;
}

typedef struct
{
  GtkWindow        *window;
  EmberMessageView *view;     /* weak once the window is destroyed */
  GPtrArray        *opened; /* URIs the view asked to open */
} Reader;

static gboolean
record_open_uri_cb (EmberMessageView *view,
                    const char       *uri,
                    GPtrArray        *opened)
{
  g_ptr_array_add (opened, g_strdup (uri));
  /* Handled: no browser is started in the test. */
  return TRUE;
}

static gboolean
widget_is_mapped (gpointer data)
{
  return gtk_widget_get_mapped (data);
}

static Reader *
reader_new (TestStore *test_store)
{
  Reader *reader = g_new0 (Reader, 1);

  reader->opened = g_ptr_array_new_with_free_func (g_free);
  reader->window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_default_size (reader->window, 900, 700);
  reader->view = EMBER_MESSAGE_VIEW (ember_message_view_new ());
  ember_message_view_set_store (reader->view, test_store->store);
  g_signal_connect (reader->view, "open-uri", G_CALLBACK (record_open_uri_cb), reader->opened);
  gtk_window_set_child (reader->window, GTK_WIDGET (reader->view));
  gtk_window_present (reader->window);
  g_assert_true (ember_test_wait_for (widget_is_mapped, reader->view, 5000));

  return reader;
}

static gboolean
pointer_is_null (gpointer data)
{
  return *(gpointer *) data == NULL;
}

static void move_pointer_away (GtkWidget *widget);

static void
reader_free (Reader *reader)
{
  GtkWidget *web_view = ember_gui_test_find_widget (GTK_WIDGET (reader->view), WEBKIT_TYPE_WEB_VIEW, NULL, NULL);

  /* The views must really go away with the window (nothing left holding
   * them, no load pending). */
  move_pointer_away (GTK_WIDGET (reader->window));
  g_object_add_weak_pointer (G_OBJECT (reader->view), (gpointer *) &reader->view);
  if (web_view != NULL)
    g_object_add_weak_pointer (G_OBJECT (web_view), (gpointer *) &web_view);
  gtk_window_destroy (reader->window);
  if (!ember_test_wait_for (pointer_is_null, &reader->view, WAIT_MS))
    g_error ("expected the message view to be finalized with its window, but it is still alive");
  if (!ember_test_wait_for (pointer_is_null, &web_view, WAIT_MS))
    g_error ("expected the web view to be finalized with its window, but it is still alive");
  g_ptr_array_unref (reader->opened);
  g_free (reader);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Reader, reader_free)

static gboolean
view_not_loading (gpointer data)
{
  return !ember_message_view_get_loading (data);
}

static void
show_and_wait (Reader *reader,
               gint64  message_id)
{
  ember_message_view_show_message (reader->view, message_id);
  g_assert_true (ember_message_view_get_loading (reader->view));
  g_assert_true (ember_test_wait_for (view_not_loading, reader->view, WAIT_MS));
}

static gboolean
web_view_idle (gpointer data)
{
  return !ember_html_view_get_busy (data);
}

static void
wait_for_web_view (EmberHtmlView *web_view)
{
  g_assert_true (ember_test_wait_for (web_view_idle, web_view, WAIT_MS));
  g_assert_false (ember_html_view_get_failed (web_view));
  /* WebKit reports the load finished after its subresources; a few more
   * frames catch anything late. */
  ember_test_spin (100);
}

static gboolean
label_has_text (GtkWidget *widget,
                gpointer   data)
{
  return g_strcmp0 (gtk_label_get_text (GTK_LABEL (widget)), data) == 0
         && gtk_widget_is_drawable (widget);
}

static void
assert_label_shown (GtkWidget  *root,
                    const char *text)
{
  if (ember_gui_test_find_widget (root, GTK_TYPE_LABEL, label_has_text, (gpointer) text) == NULL)
    g_error ("expected a visible label \"%s\", but there is none", text);
}

static void
assert_label_not_shown (GtkWidget  *root,
                        const char *text)
{
  if (ember_gui_test_find_widget (root, GTK_TYPE_LABEL, label_has_text, (gpointer) text) != NULL)
    g_error ("expected no visible label \"%s\", but there is one", text);
}

/* Real pointer clicks through XTest: the only honest way to click inside a
 * WebKitWebView, whose web process sees nothing but real input. */

typedef int (*XTestFakeMotionEventFunc) (Display *, int, int, int, unsigned long);
typedef int (*XTestFakeButtonEventFunc) (Display *, unsigned int, Bool, unsigned long);
typedef int (*XFlushFunc) (Display *);
typedef Bool (*XTranslateCoordinatesFunc) (Display *, Window, Window, int, int, int *, int *, Window *);
typedef Window (*XDefaultRootWindowFunc) (Display *);
typedef int (*XRaiseWindowFunc) (Display *, Window);

static void
click_at (GtkWidget *widget,
          double     x,
          double     y)
{
  static void *xtst;
  static void *x11;
  GdkDisplay *display = gtk_widget_get_display (widget);
  GtkNative *native = gtk_widget_get_native (widget);
  XTestFakeMotionEventFunc fake_motion;
  XTestFakeButtonEventFunc fake_button;
  XFlushFunc flush;
  XTranslateCoordinatesFunc translate;
  XDefaultRootWindowFunc default_root;
  graphene_point_t point;
  double surface_x, surface_y;
  int root_x, root_y;
  Window child;
  Display *xdisplay;

  /* Failing, not skipping: a skip inside the per-case subprocess would be
   * reported as a pass. */
  if (!GDK_IS_X11_DISPLAY (display))
    g_error ("expected the X11 backend (GDK_BACKEND=x11) to click, but the display is %s",
             G_OBJECT_TYPE_NAME (display));
  if (xtst == NULL)
    xtst = dlopen ("libXtst.so.6", RTLD_NOW);
  if (x11 == NULL)
    x11 = dlopen ("libX11.so.6", RTLD_NOW);
  if (xtst == NULL || x11 == NULL)
    g_error ("expected libXtst.so.6 and libX11.so.6 to click (package libxtst6): %s", dlerror ());

  fake_motion = (XTestFakeMotionEventFunc) dlsym (xtst, "XTestFakeMotionEvent");
  fake_button = (XTestFakeButtonEventFunc) dlsym (xtst, "XTestFakeButtonEvent");
  flush = (XFlushFunc) dlsym (x11, "XFlush");
  translate = (XTranslateCoordinatesFunc) dlsym (x11, "XTranslateCoordinates");
  default_root = (XDefaultRootWindowFunc) dlsym (x11, "XDefaultRootWindow");
  g_assert_true (fake_motion != NULL && fake_button != NULL && flush != NULL
                 && translate != NULL && default_root != NULL);

  g_assert_true (gtk_widget_compute_point (widget, GTK_WIDGET (native),
                                           &GRAPHENE_POINT_INIT (x, y), &point));
  gtk_native_get_surface_transform (native, &surface_x, &surface_y);
  xdisplay = gdk_x11_display_get_xdisplay (display);
  g_assert_true (translate (xdisplay,
                            gdk_x11_surface_get_xid (gtk_native_get_surface (native)),
                            default_root (xdisplay),
                            (int) (point.x + surface_x), (int) (point.y + surface_y),
                            &root_x, &root_y, &child));

  /* Other GUI tests share the display and their windows also sit at the
   * top left: put ours on top right before clicking. */
  ((XRaiseWindowFunc) dlsym (x11, "XRaiseWindow")) (xdisplay,
                                                     gdk_x11_surface_get_xid (gtk_native_get_surface (native)));
  flush (xdisplay);
  ember_test_spin (50);
  fake_motion (xdisplay, -1, root_x, root_y, 0);
  flush (xdisplay);
  ember_test_spin (200);
  fake_button (xdisplay, 1, True, 0);
  flush (xdisplay);
  ember_test_spin (50);
  fake_button (xdisplay, 1, False, 0);
  flush (xdisplay);
}

/* GTK keeps the widget under the pointer alive until the pointer leaves
 * it, so tests that clicked move the pointer off their window at the end. */
static void
move_pointer_away (GtkWidget *widget)
{
  GdkDisplay *display = gtk_widget_get_display (widget);
  void *xtst = dlopen ("libXtst.so.6", RTLD_NOW | RTLD_NOLOAD);
  void *x11 = dlopen ("libX11.so.6", RTLD_NOW | RTLD_NOLOAD);
  Display *xdisplay;

  if (xtst != NULL && x11 != NULL && GDK_IS_X11_DISPLAY (display))
    {
      xdisplay = gdk_x11_display_get_xdisplay (display);
      ((XTestFakeMotionEventFunc) dlsym (xtst, "XTestFakeMotionEvent")) (xdisplay, -1, 1279, 799, 0);
      ((XFlushFunc) dlsym (x11, "XFlush")) (xdisplay);
      ember_test_spin (100);
    }
  g_clear_pointer (&xtst, dlclose);
  g_clear_pointer (&x11, dlclose);
}

static gboolean
opened_something (gpointer data)
{
  GPtrArray *opened = data;

  return opened->len > 0;
}

/* A server that would serve the remote image, counting who asks. */

typedef struct
{
  SoupServer *server;
  guint       requests;
  char       *base;
} ImageServer;

static void
image_handler_cb (SoupServer        *server,
                  SoupServerMessage *message,
                  const char        *path,
                  GHashTable        *query,
                  gpointer           user_data)
{
  /* A 1×1 transparent GIF. */
  static const guint8 gif[] = {
    0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 0x01, 0x00, 0x01, 0x00, 0x80, 0x00, 0x00, 0x00, 0x00,
    0x00, 0xff, 0xff, 0xff, 0x21, 0xf9, 0x04, 0x01, 0x00, 0x00, 0x00, 0x00, 0x2c, 0x00, 0x00,
    0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x02, 0x01, 0x44, 0x00, 0x3b,
  };
  ImageServer *image_server = user_data;

  image_server->requests++;
  soup_server_message_set_status (message, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (message, "image/gif", SOUP_MEMORY_STATIC,
                                    (const char *) gif, sizeof gif);
}

static ImageServer *
image_server_new (void)
{
  ImageServer *image_server = g_new0 (ImageServer, 1);
  g_autoptr(GError) error = NULL;
  GSList *uris;

  image_server->server = soup_server_new (NULL, NULL);
  soup_server_add_handler (image_server->server, NULL, image_handler_cb, image_server, NULL);
  soup_server_listen_local (image_server->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);

  uris = soup_server_get_uris (image_server->server);
  g_assert_nonnull (uris);
  image_server->base = g_strdup_printf ("http://127.0.0.1:%d", g_uri_get_port (uris->data));
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  return image_server;
}

static void
image_server_free (ImageServer *image_server)
{
  soup_server_disconnect (image_server->server);
  g_clear_object (&image_server->server);
  g_free (image_server->base);
  g_free (image_server);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ImageServer, image_server_free)

static gboolean
server_was_asked (gpointer data)
{
  ImageServer *image_server = data;

  return image_server->requests > 0;
}

#define OFFER_URI "https://example.org/offer?id=7"

/* A link filling the top left of the page, a remote image and a remote
 * background. */
static gint64
save_html_message (TestStore   *test_store,
                   ImageServer *image_server)
{
  EmberMessageRecord *message = new_message ("html-1", "Newsletter");

  message->body_html = g_strdup_printf ("<!DOCTYPE html><html><head><style>body{margin:0}</style></head><body>"
                                        "<a href=\"" OFFER_URI "\" style=\"display:block;width:400px;height:200px;"
                                        "background:#3584e4;color:white\">Open the offer</a>"
                                        "<script>document.title = 'scripts ran';</script>"
                                        "<p>Hello Bob</p>"
                                        "<img src=\"%s/pixel.gif\" width=\"20\" height=\"20\">"
                                        "<div style=\"background-image:url('%s/background.gif');height:20px\"></div>"
                                        "</body></html>",
                                        image_server->base, image_server->base);
  message->body_text = g_strdup ("Open the offer " OFFER_URI "\nHello Bob");

  return save_message (test_store, message);
}

static void
assert_remote_bar (Reader   *reader,
                   gboolean  revealed)
{
  GtkWidget *button = ember_gui_test_find_widget (GTK_WIDGET (reader->view), GTK_TYPE_BUTTON, NULL, NULL);
  GtkWidget *revealer;

  g_assert_nonnull (button);
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (button)), ==, "_Show Remote Images");
  /* The bar's own revealer, outside the action bar (which has one inside). */
  revealer = gtk_widget_get_ancestor (gtk_widget_get_ancestor (button, GTK_TYPE_ACTION_BAR),
                                      GTK_TYPE_REVEALER);
  g_assert_nonnull (revealer);
  g_assert_cmpint (gtk_revealer_get_reveal_child (GTK_REVEALER (revealer)), ==, revealed);
}

/* Cases */

static void
test_headers_and_attachments (void)
{
  g_autoptr(TestStore) test_store = open_store ();
  g_autoptr(Reader) reader = reader_new (test_store);
  EmberMessageRecord *message = new_message ("plain-1", "Quarterly report");
  g_autoptr(GDateTime) local = g_date_time_new_from_unix_local (message->date);
  g_autofree char *expected_date = g_date_time_format (local, "%c");
  g_autofree char *expected_size = g_format_size (123456);
  gint64 id;

  message->cc = g_strdup ("Carol <carol@example.com>");
  message->body_text = g_strdup ("The numbers are in.");
  g_free (message->attachments_json);
  message->attachments_json = g_strdup ("[{\"name\":\"report.pdf\",\"mime_type\":\"application/pdf\",\"size\":123456,\"inline\":false},"
                                        "{\"name\":\"logo.png\",\"mime_type\":\"image/png\",\"size\":99,\"inline\":true,\"content_id\":\"logo\"},"
                                        "{\"name\":null,\"mime_type\":\"text/calendar\",\"size\":10}]");
  id = save_message (test_store, message);

  g_assert_cmpint (ember_message_view_get_message_id (reader->view), ==, 0);
  g_assert_nonnull (ember_gui_test_find_widget (GTK_WIDGET (reader->view), ADW_TYPE_STATUS_PAGE, NULL, NULL));

  show_and_wait (reader, id);
  g_assert_cmpint (ember_message_view_get_message_id (reader->view), ==, id);
  ember_test_spin (50);

  assert_label_shown (GTK_WIDGET (reader->view), "Quarterly report");
  assert_label_shown (GTK_WIDGET (reader->view), "Ann Sender <ann@example.com>");
  assert_label_shown (GTK_WIDGET (reader->view), "Bob <bob@example.com>");
  assert_label_shown (GTK_WIDGET (reader->view), "Carol <carol@example.com>");
  assert_label_shown (GTK_WIDGET (reader->view), expected_date);
  assert_label_shown (GTK_WIDGET (reader->view), "2 Attachments");
  assert_label_shown (GTK_WIDGET (reader->view), "report.pdf");
  assert_label_shown (GTK_WIDGET (reader->view), expected_size);
  assert_label_shown (GTK_WIDGET (reader->view), "Unnamed attachment");
  /* The inline picture belongs to the body, not to the attachments. */
  assert_label_not_shown (GTK_WIDGET (reader->view), "logo.png");

  /* Plain mail starts no web process. */
  g_assert_cmpstr (_ember_message_view_get_body_mode (reader->view), ==, "text");
  g_assert_null (ember_gui_test_find_widget (GTK_WIDGET (reader->view), WEBKIT_TYPE_WEB_VIEW, NULL, NULL));

  ember_message_view_clear (reader->view);
  g_assert_cmpint (ember_message_view_get_message_id (reader->view), ==, 0);
  ember_test_spin (50);
  assert_label_shown (GTK_WIDGET (reader->view), "No message selected");
}

static GtkTextView *
find_text_view (Reader *reader)
{
  GtkWidget *text_view = ember_gui_test_find_widget (GTK_WIDGET (reader->view), GTK_TYPE_TEXT_VIEW, NULL, NULL);

  g_assert_nonnull (text_view);
  return GTK_TEXT_VIEW (text_view);
}

static gboolean
line_is_laid_out (gpointer data)
{
  GtkTextView *text_view = data;
  GtkTextIter end;
  GdkRectangle location;

  gtk_text_buffer_get_end_iter (gtk_text_view_get_buffer (text_view), &end);
  gtk_text_view_get_iter_location (text_view, &end, &location);
  return gtk_widget_is_drawable (GTK_WIDGET (text_view)) && location.height > 0 && location.y > 0;
}

static void
test_plain_text_links (void)
{
  g_autoptr(TestStore) test_store = open_store ();
  g_autoptr(Reader) reader = reader_new (test_store);
  EmberMessageRecord *message = new_message ("plain-2", "Links");
  const char *body = "Hi Bob,\nthe agenda is at https://example.org/agenda?day=1&room=2, see you.\n<b>not markup</b>";
  GtkTextView *text_view;
  GtkTextBuffer *buffer;
  GtkTextIter start, end, link_iter;
  g_autofree char *shown = NULL;
  g_autoptr(GSList) tags = NULL;
  GdkRectangle location;
  int x, y;
  gint64 id;

  message->body_text = g_strdup (body);
  id = save_message (test_store, message);
  show_and_wait (reader, id);
  ember_test_spin (100);

  text_view = find_text_view (reader);
  g_assert_true (gtk_widget_is_drawable (GTK_WIDGET (text_view)));
  g_assert_false (gtk_text_view_get_editable (text_view));
  g_assert_false (gtk_text_view_get_monospace (text_view));
  g_assert_cmpint (gtk_text_view_get_wrap_mode (text_view), ==, GTK_WRAP_WORD_CHAR);

  buffer = gtk_text_view_get_buffer (text_view);
  gtk_text_buffer_get_bounds (buffer, &start, &end);
  shown = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
  g_assert_cmpstr (shown, ==, body);

  /* The URL, without the comma after it, is a link. */
  g_assert_true (gtk_text_iter_forward_search (&start, "https://example.org", 0, &link_iter, NULL, NULL));
  tags = gtk_text_iter_get_tags (&link_iter);
  g_assert_nonnull (tags);
  {
    gboolean underlined = FALSE;

    for (GSList *l = tags; l != NULL; l = l->next)
      {
        PangoUnderline underline;

        g_object_get (l->data, "underline", &underline, NULL);
        underlined |= underline == PANGO_UNDERLINE_SINGLE;
      }
    g_assert_true (underlined);
  }

  /* Click the middle of the link's first character, once the text view
   * has laid it out (it validates lines in idle time). */
  g_assert_true (ember_test_wait_for (line_is_laid_out, text_view, WAIT_MS));
  ember_test_spin (100);
  gtk_text_view_get_iter_location (text_view, &link_iter, &location);
  gtk_text_view_buffer_to_window_coords (text_view, GTK_TEXT_WINDOW_WIDGET,
                                         location.x + location.width / 2,
                                         location.y + location.height / 2, &x, &y);
  click_at (GTK_WIDGET (text_view), x, y);

  g_assert_true (ember_test_wait_for (opened_something, reader->opened, WAIT_MS));
  g_assert_cmpuint (reader->opened->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (reader->opened, 0), ==, "https://example.org/agenda?day=1&room=2");

  /* Clicking plain text opens nothing. */
  gtk_text_buffer_get_start_iter (buffer, &start);
  gtk_text_view_get_iter_location (text_view, &start, &location);
  gtk_text_view_buffer_to_window_coords (text_view, GTK_TEXT_WINDOW_WIDGET,
                                         location.x + location.width / 2,
                                         location.y + location.height / 2, &x, &y);
  click_at (GTK_WIDGET (text_view), x, y);
  ember_test_spin (150);
  g_assert_cmpuint (reader->opened->len, ==, 1);
}

static gboolean
filter_installed (EmberHtmlView *web_view)
{
  gboolean installed = FALSE;

  g_object_get (web_view, "filter-installed", &installed, NULL);
  return installed;
}

/* The view is made (its engine loaded) when the first message with HTML
 * is shown; other layers than the default take effect at the next show. */
static EmberHtmlView *
show_html_message (Reader                 *reader,
                   gint64                  id,
                   EmberReaderBlockLayers  layers)
{
  EmberHtmlView *web_view;

  show_and_wait (reader, id);
  web_view = _ember_message_view_get_html_view (reader->view);
  g_assert_nonnull (web_view);
  if (layers != EMBER_READER_BLOCK_ALL)
    {
      wait_for_web_view (web_view);
      g_object_set (web_view, "block-layers", (guint) layers, NULL);
      show_and_wait (reader, id);
    }
  g_assert_cmpstr (_ember_message_view_get_body_mode (reader->view), ==, "html");
  wait_for_web_view (web_view);

  return web_view;
}

static void
test_html_message_is_locked_down (void)
{
  g_autoptr(TestStore) test_store = open_store ();
  g_autoptr(ImageServer) image_server = image_server_new ();
  g_autoptr(Reader) reader = reader_new (test_store);
  gint64 id = save_html_message (test_store, image_server);
  EmberHtmlView *web_view;
  WebKitSettings *settings;
  GtkWidget *button;

  web_view = show_html_message (reader, id, EMBER_READER_BLOCK_ALL);
  g_assert_true (gtk_widget_is_drawable (GTK_WIDGET (web_view)));

  settings = webkit_web_view_get_settings (WEBKIT_WEB_VIEW (web_view));
  g_assert_false (webkit_settings_get_enable_javascript (settings));
  g_assert_false (webkit_settings_get_enable_javascript_markup (settings));
  g_assert_false (webkit_settings_get_javascript_can_open_windows_automatically (settings));
  g_assert_false (webkit_settings_get_enable_developer_extras (settings));
  /* The inline script did not run. */
  g_assert_cmpstr (webkit_web_view_get_title (WEBKIT_WEB_VIEW (web_view)), !=, "scripts ran");
  g_assert_true (webkit_network_session_is_ephemeral (webkit_web_view_get_network_session (WEBKIT_WEB_VIEW (web_view))));

  /* Nothing remote was fetched, and the person is told so. */
  g_assert_cmpuint (image_server->requests, ==, 0);
  assert_remote_bar (reader, TRUE);
  g_assert_true (filter_installed (web_view));

  /* A click on the link (the 400×200 block at the top left of the page)
   * asks for the browser and leaves the reader where it is. */
  g_assert_cmpstr (webkit_web_view_get_uri (WEBKIT_WEB_VIEW (web_view)), ==, "about:blank");
  click_at (GTK_WIDGET (web_view), 100, 60);
  g_assert_true (ember_test_wait_for (opened_something, reader->opened, WAIT_MS));
  ember_test_spin (100);
  g_assert_cmpuint (reader->opened->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (reader->opened, 0), ==, OFFER_URI);
  g_assert_cmpstr (webkit_web_view_get_uri (WEBKIT_WEB_VIEW (web_view)), ==, "about:blank");
  g_assert_false (ember_html_view_get_busy (web_view));
  g_assert_cmpuint (image_server->requests, ==, 0);
  assert_label_shown (GTK_WIDGET (reader->view), "Newsletter");

  /* Show Remote Images fetches the image and the background. */
  button = ember_gui_test_find_widget (GTK_WIDGET (reader->view), GTK_TYPE_BUTTON, NULL, NULL);
  g_assert_true (gtk_widget_is_drawable (button));
  g_assert_true (gtk_widget_activate (button));

  g_assert_true (ember_test_wait_for (server_was_asked, image_server, WAIT_MS));
  wait_for_web_view (web_view);
  g_assert_cmpuint (image_server->requests, >=, 2);
  assert_remote_bar (reader, FALSE);
  g_assert_false (filter_installed (web_view));
  g_assert_cmpuint (reader->opened->len, ==, 1);
}

/* Each blocking layer holds on its own; the server proves it would have
 * answered once the content is allowed. */
static void
check_one_layer (EmberReaderBlockLayers layer)
{
  g_autoptr(TestStore) test_store = open_store ();
  g_autoptr(ImageServer) image_server = image_server_new ();
  g_autoptr(Reader) reader = reader_new (test_store);
  gint64 id = save_html_message (test_store, image_server);
  EmberHtmlView *web_view;

  web_view = show_html_message (reader, id, layer);
  g_assert_cmpuint (image_server->requests, ==, 0);
  g_assert_cmpint (filter_installed (web_view), ==,
                   layer == EMBER_READER_BLOCK_CONTENT_FILTER);

  ember_html_view_show_html (web_view, "<img src=\"http://127.0.0.1:1/\">", FALSE);
  wait_for_web_view (web_view);
  g_assert_cmpuint (image_server->requests, ==, 0);

  {
    g_autofree char *html = g_strdup_printf ("<img src=\"%s/pixel.gif\">", image_server->base);

    ember_html_view_show_html (web_view, html, TRUE);
  }
  g_assert_true (ember_test_wait_for (server_was_asked, image_server, WAIT_MS));
}

static void
test_each_blocking_layer_alone (void)
{
  check_one_layer (EMBER_READER_BLOCK_CONTENT_FILTER);
  check_one_layer (EMBER_READER_BLOCK_CSP);
}

static gboolean
body_is_text (gpointer data)
{
  return g_strcmp0 (_ember_message_view_get_body_mode (data), "text") == 0;
}

/* The save_html_message () body as text, with the notice that says why. */
static void
assert_text_fallback_shown (Reader *reader)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (find_text_view (reader));
  g_autofree char *shown = NULL;
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  shown = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
  g_assert_cmpstr (shown, ==, "Open the offer " OFFER_URI "\nHello Bob");
  ember_test_spin (100);
  assert_label_shown (GTK_WIDGET (reader->view),
                      "The formatted version of this message could not be shown; this is its plain text.");
  assert_remote_bar (reader, FALSE);
}

static void
test_web_process_failure_falls_back_to_text (void)
{
  g_autoptr(TestStore) test_store = open_store ();
  g_autoptr(ImageServer) image_server = image_server_new ();
  g_autoptr(Reader) reader = reader_new (test_store);
  gint64 id = save_html_message (test_store, image_server);
  EmberHtmlView *web_view;

  web_view = show_html_message (reader, id, EMBER_READER_BLOCK_ALL);
  assert_remote_bar (reader, TRUE);

  webkit_web_view_terminate_web_process (WEBKIT_WEB_VIEW (web_view));
  g_assert_true (ember_test_wait_for (body_is_text, reader->view, WAIT_MS));
  g_assert_true (ember_html_view_get_failed (web_view));
  assert_text_fallback_shown (reader);

  /* Showing the message again starts a new web process. */
  show_and_wait (reader, id);
  g_assert_cmpstr (_ember_message_view_get_body_mode (reader->view), ==, "html");
  wait_for_web_view (web_view);
  g_assert_cmpuint (image_server->requests, ==, 0);
}

#define ENGINE_MODULE "/ember-reader-webkit.so"

/* The HTML engine is a module loaded with the first message that has HTML;
 * when it cannot be loaded, the person still reads the text, and the next
 * message tries again. */
static void
test_missing_html_engine_falls_back_to_text (void)
{
  g_autoptr(TestStore) test_store = open_store ();
  g_autoptr(ImageServer) image_server = image_server_new ();
  g_autoptr(Reader) reader = reader_new (test_store);
  gint64 id = save_html_message (test_store, image_server);
  g_autofree char *moduledir = g_strdup (g_getenv ("EMBER_MODULEDIR"));

  if (ember_gui_test_is_mapped (ENGINE_MODULE))
    {
      g_test_skip ("the HTML engine was loaded by an earlier case");
      return;
    }

  g_setenv ("EMBER_MODULEDIR", "/nonexistent/ember-modules", TRUE);
  show_and_wait (reader, id);
  g_assert_cmpstr (_ember_message_view_get_body_mode (reader->view), ==, "text");
  g_assert_null (_ember_message_view_get_html_view (reader->view));
  g_assert_false (ember_gui_test_is_mapped (ENGINE_MODULE));
  assert_text_fallback_shown (reader);
  g_assert_cmpuint (image_server->requests, ==, 0);

  if (moduledir != NULL)
    g_setenv ("EMBER_MODULEDIR", moduledir, TRUE);
  else
    g_unsetenv ("EMBER_MODULEDIR");
  show_and_wait (reader, id);
  g_assert_true (ember_gui_test_is_mapped (ENGINE_MODULE));
  g_assert_cmpstr (_ember_message_view_get_body_mode (reader->view), ==, "html");
  wait_for_web_view (_ember_message_view_get_html_view (reader->view));
  assert_remote_bar (reader, TRUE);
  g_assert_cmpuint (image_server->requests, ==, 0);
}

static void
test_newer_message_wins_and_missing_message (void)
{
  g_autoptr(TestStore) test_store = open_store ();
  g_autoptr(Reader) reader = reader_new (test_store);
  EmberMessageRecord *first = new_message ("first", "First subject");
  EmberMessageRecord *second = new_message ("second", "Second subject");
  gint64 first_id, second_id;

  first->body_text = g_strdup ("one");
  second->body_text = g_strdup ("two");
  first_id = save_message (test_store, first);
  second_id = save_message (test_store, second);

  ember_message_view_show_message (reader->view, first_id);
  ember_message_view_show_message (reader->view, second_id);
  g_assert_true (ember_test_wait_for (view_not_loading, reader->view, WAIT_MS));
  ember_test_spin (200);
  g_assert_cmpint (ember_message_view_get_message_id (reader->view), ==, second_id);
  assert_label_shown (GTK_WIDGET (reader->view), "Second subject");
  assert_label_not_shown (GTK_WIDGET (reader->view), "First subject");

  show_and_wait (reader, second_id + 1000);
  ember_test_spin (50);
  assert_label_shown (GTK_WIDGET (reader->view), "Message not available");
}

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "C.UTF-8");
  g_setenv ("LANGUAGE", "C", TRUE);

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/ember/gui/message-view/remote-content-detection", test_remote_content_detection);
  g_test_add_func ("/ember/gui/message-view/policy-goes-after-doctype", test_policy_goes_after_doctype);
  g_test_add_func ("/ember/gui/message-view/text-links", test_text_links);

  if (!ember_gui_test_init ())
    {
      g_printerr ("no display: running only the tests without widgets\n");
      return g_test_run ();
    }
  adw_init ();

  /* These widgets need no application, so the cases share one process:
   * under AddressSanitizer every new GTK + WebKit process costs seconds. */
  g_test_add_func ("/ember/gui/message-view/headers-and-attachments", test_headers_and_attachments);
  g_test_add_func ("/ember/gui/message-view/plain-text-links", test_plain_text_links);
  /* Before any other case loads the HTML engine. */
  g_test_add_func ("/ember/gui/message-view/missing-html-engine-falls-back-to-text",
                   test_missing_html_engine_falls_back_to_text);
  g_test_add_func ("/ember/gui/message-view/html-message-is-locked-down", test_html_message_is_locked_down);
  g_test_add_func ("/ember/gui/message-view/each-blocking-layer-alone", test_each_blocking_layer_alone);
  g_test_add_func ("/ember/gui/message-view/web-process-failure-falls-back-to-text",
                      test_web_process_failure_falls_back_to_text);
  g_test_add_func ("/ember/gui/message-view/newer-message-wins-and-missing-message",
                      test_newer_message_wins_and_missing_message);

  return g_test_run ();
}
