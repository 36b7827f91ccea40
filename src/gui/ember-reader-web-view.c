/* ember-reader-web-view.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Remote content is kept out twice over: a WebKit content rule list that
 * blocks every http(s), ws(s), ftp and file load (compiled once into
 * $XDG_CACHE_HOME/ember/content-filters), and a Content-Security-Policy put
 * into the page itself. Either alone is enough; the second also covers the
 * case where the rule list cannot be compiled. Navigation policy cannot do
 * this job: WebKit asks it about documents, not about images or styles.
 */
#define G_LOG_DOMAIN "ember-gui"

#include "config.h"

#include <errno.h>
#include <gmodule.h>
#include <string.h>

#include "ember-reader-html.h"
#include "ember-reader-web-view.h"
#include "ember-reader-web-view-private.h"

/* Bump the version whenever the rules change, so an old compiled copy in
 * the cache is not picked up. */
#define BLOCK_FILTER_ID "ember-block-remote-content-v1"
#define BLOCK_FILTER_RULES \
  "[" \
  "{\"trigger\":{\"url-filter\":\"^https?:\"},\"action\":{\"type\":\"block\"}}," \
  "{\"trigger\":{\"url-filter\":\"^wss?:\"},\"action\":{\"type\":\"block\"}}," \
  "{\"trigger\":{\"url-filter\":\"^ftp:\"},\"action\":{\"type\":\"block\"}}," \
  "{\"trigger\":{\"url-filter\":\"^file:\"},\"action\":{\"type\":\"block\"}}" \
  "]"

typedef enum
{
  FILTER_LOADING,
  FILTER_READY,
  FILTER_UNAVAILABLE,
} FilterState;

struct _EmberReaderWebView
{
  WebKitWebView           parent_instance;

  GCancellable           *cancellable;
  EmberReaderBlockLayers  block_layers;
  FilterState             filter_state;
  gboolean                filter_installed;

  /* What show_html () asked for while the filter was still compiling. */
  char                   *pending_html;
  gboolean                pending_allow_remote;
  gboolean                has_pending;

  gboolean                load_requested;
  gboolean                busy;
  gboolean                failed;
};

static void ember_reader_web_view_html_view_init (EmberHtmlViewInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (EmberReaderWebView, ember_reader_web_view, WEBKIT_TYPE_WEB_VIEW,
                               G_IMPLEMENT_INTERFACE (EMBER_TYPE_HTML_VIEW,
                                                      ember_reader_web_view_html_view_init))

enum {
  PROP_0,
  PROP_BLOCK_LAYERS,
  PROP_FILTER_INSTALLED,
  N_PROPS,
  /* EmberHtmlView's */
  PROP_BUSY = N_PROPS,
  PROP_FAILED,
};

static GParamSpec *properties[N_PROPS];

/* Compiled once per process and shared by every view. */
static WebKitUserContentFilter *block_filter;

static WebKitNetworkSession *
get_network_session (void)
{
  static WebKitNetworkSession *session;

  /* Ephemeral: remote images the person chose to load leave no cookies or
   * cache on disk. */
  if (session == NULL)
    session = webkit_network_session_new_ephemeral ();

  return session;
}

static WebKitUserContentFilterStore *
get_filter_store (void)
{
  static WebKitUserContentFilterStore *store;

  if (store == NULL)
    {
      g_autofree char *path = g_build_filename (g_get_user_cache_dir (), "ember",
                                                "content-filters", NULL);

      if (g_mkdir_with_parents (path, 0700) != 0)
        g_debug ("Could not create %s: %s", path, g_strerror (errno));
      store = webkit_user_content_filter_store_new (path);
    }

  return store;
}

static WebKitSettings *
create_settings (void)
{
  /* WebKitGTK 6 has no plugins at all; everything else that could run
   * code, reach out or outlive the page is switched off here. */
  return webkit_settings_new_with_settings ("enable-javascript", FALSE,
                                            "enable-javascript-markup", FALSE,
                                            "javascript-can-open-windows-automatically", FALSE,
                                            "javascript-can-access-clipboard", FALSE,
                                            "enable-html5-local-storage", FALSE,
                                            "enable-html5-database", FALSE,
                                            "enable-page-cache", FALSE,
                                            "enable-developer-extras", FALSE,
                                            "enable-webaudio", FALSE,
                                            "enable-webgl", FALSE,
                                            "enable-media", FALSE,
                                            "enable-media-stream", FALSE,
                                            "enable-webrtc", FALSE,
                                            "enable-fullscreen", FALSE,
                                            "enable-back-forward-navigation-gestures", FALSE,
                                            "allow-file-access-from-file-urls", FALSE,
                                            "allow-universal-access-from-file-urls", FALSE,
                                            "allow-top-navigation-to-data-urls", FALSE,
                                            "allow-modal-dialogs", FALSE,
                                            NULL);
}

/* The module's entry point (EMBER_HTML_VIEW_ENGINE_NEW_SYMBOL). */
G_MODULE_EXPORT EmberHtmlView *ember_html_view_engine_new (void);

EmberHtmlView *
ember_html_view_engine_new (void)
{
  g_autoptr(WebKitSettings) settings = create_settings ();
  g_autoptr(WebKitUserContentManager) content_manager = webkit_user_content_manager_new ();

  return g_object_new (EMBER_TYPE_READER_WEB_VIEW,
                       "network-session", get_network_session (),
                       "settings", settings,
                       "user-content-manager", content_manager,
                       NULL);
}

static void
update_busy (EmberReaderWebView *self)
{
  gboolean busy = !self->failed
                  && (self->has_pending || self->load_requested
                      || webkit_web_view_is_loading (WEBKIT_WEB_VIEW (self)));

  if (busy == self->busy)
    return;

  self->busy = busy;
  g_object_notify (G_OBJECT (self), "busy");
}

static void
set_failed (EmberReaderWebView *self,
            gboolean            failed)
{
  if (failed == self->failed)
    return;

  self->failed = failed;
  g_object_notify (G_OBJECT (self), "failed");
}

static void
load_now (EmberReaderWebView *self,
          const char         *html,
          gboolean            allow_remote)
{
  WebKitUserContentManager *content_manager =
    webkit_web_view_get_user_content_manager (WEBKIT_WEB_VIEW (self));
  gboolean want_filter = !allow_remote
                         && (self->block_layers & EMBER_READER_BLOCK_CONTENT_FILTER) != 0
                         && self->filter_state == FILTER_READY;
  g_autofree char *page = NULL;

  if (want_filter && !self->filter_installed)
    webkit_user_content_manager_add_filter (content_manager, block_filter);
  else if (!want_filter && self->filter_installed)
    webkit_user_content_manager_remove_all_filters (content_manager);
  self->filter_installed = want_filter;

  if ((self->block_layers & EMBER_READER_BLOCK_CSP) != 0)
    page = ember_reader_html_add_policy (html, allow_remote);
  else
    page = g_strdup (html);

  self->load_requested = TRUE;
  update_busy (self);
  /* No base URI: the page is about:blank, so relative URLs lead nowhere. */
  webkit_web_view_load_html (WEBKIT_WEB_VIEW (self), page, NULL);
}

static void
load_pending (EmberReaderWebView *self)
{
  g_autofree char *html = g_steal_pointer (&self->pending_html);

  if (!self->has_pending)
    return;

  self->has_pending = FALSE;
  load_now (self, html, self->pending_allow_remote);
}

static void
filter_ready (EmberReaderWebView      *self,
              WebKitUserContentFilter *filter)
{
  if (block_filter == NULL)
    block_filter = webkit_user_content_filter_ref (filter);
  self->filter_state = FILTER_READY;
  load_pending (self);
}

static void
filter_saved_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(EmberReaderWebView) self = user_data;
  g_autoptr(WebKitUserContentFilter) filter = NULL;
  g_autoptr(GError) error = NULL;

  filter = webkit_user_content_filter_store_save_finish (WEBKIT_USER_CONTENT_FILTER_STORE (object),
                                                         result, &error);
  if (filter != NULL)
    {
      filter_ready (self, filter);
      return;
    }

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  g_warning ("Could not compile the remote content filter (%s); the page policy alone keeps remote content out",
             error->message);
  self->filter_state = FILTER_UNAVAILABLE;
  load_pending (self);
}

static void
filter_loaded_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(EmberReaderWebView) self = user_data;
  g_autoptr(WebKitUserContentFilter) filter = NULL;
  g_autoptr(GBytes) rules = NULL;
  g_autoptr(GError) error = NULL;
  GCancellable *cancellable;

  filter = webkit_user_content_filter_store_load_finish (WEBKIT_USER_CONTENT_FILTER_STORE (object),
                                                         result, &error);
  if (filter != NULL)
    {
      filter_ready (self, filter);
      return;
    }

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  /* Not in the cache yet (or compiled by another WebKit): compile it. */
  g_debug ("Compiling the remote content filter: %s", error->message);
  rules = g_bytes_new_static (BLOCK_FILTER_RULES, strlen (BLOCK_FILTER_RULES));
  cancellable = self->cancellable;
  webkit_user_content_filter_store_save (WEBKIT_USER_CONTENT_FILTER_STORE (object),
                                         BLOCK_FILTER_ID, rules, cancellable,
                                         filter_saved_cb, g_steal_pointer (&self));
}

static void
ember_reader_web_view_show_html (EmberHtmlView *html_view,
                                 const char    *html,
                                 gboolean       allow_remote)
{
  EmberReaderWebView *self = EMBER_READER_WEB_VIEW (html_view);

  g_free (self->pending_html);
  self->pending_html = g_strdup (html != NULL ? html : "");
  self->pending_allow_remote = allow_remote;
  self->has_pending = TRUE;
  set_failed (self, FALSE);

  /* Blocked content waits for the rule list rather than load without it. */
  if (!allow_remote
      && (self->block_layers & EMBER_READER_BLOCK_CONTENT_FILTER) != 0
      && self->filter_state == FILTER_LOADING)
    {
      update_busy (self);
      return;
    }

  load_pending (self);
}

/* The document we loaded ourselves (and jumps inside it); everything else
 * would take the reader away from the message. */
static gboolean
is_own_document (const char *uri)
{
  return g_strcmp0 (uri, "about:blank") == 0
         || g_str_has_prefix (uri, "about:blank#")
         || g_strcmp0 (uri, "about:srcdoc") == 0;
}

static gboolean
can_open_outside (const char *uri)
{
  g_autofree char *scheme = g_uri_parse_scheme (uri);

  return scheme != NULL
         && (g_ascii_strcasecmp (scheme, "http") == 0
             || g_ascii_strcasecmp (scheme, "https") == 0
             || g_ascii_strcasecmp (scheme, "mailto") == 0);
}

static gboolean
ember_reader_web_view_decide_policy (WebKitWebView            *web_view,
                                     WebKitPolicyDecision     *decision,
                                     WebKitPolicyDecisionType  type)
{
  WebKitNavigationAction *action;
  const char *uri;

  switch (type)
    {
    case WEBKIT_POLICY_DECISION_TYPE_NAVIGATION_ACTION:
    case WEBKIT_POLICY_DECISION_TYPE_NEW_WINDOW_ACTION:
      action = webkit_navigation_policy_decision_get_navigation_action (WEBKIT_NAVIGATION_POLICY_DECISION (decision));
      uri = webkit_uri_request_get_uri (webkit_navigation_action_get_request (action));

      if (type == WEBKIT_POLICY_DECISION_TYPE_NAVIGATION_ACTION && is_own_document (uri))
        {
          webkit_policy_decision_use (decision);
          return TRUE;
        }

      webkit_policy_decision_ignore (decision);
      /* Only a click the person made opens anything: not a meta refresh,
       * a form or a redirect. */
      if (webkit_navigation_action_get_navigation_type (action) == WEBKIT_NAVIGATION_TYPE_LINK_CLICKED
          && can_open_outside (uri))
        g_signal_emit_by_name (web_view, "link-activated", uri);
      return TRUE;

    case WEBKIT_POLICY_DECISION_TYPE_RESPONSE:
    default:
      return WEBKIT_WEB_VIEW_CLASS (ember_reader_web_view_parent_class)->decide_policy (web_view, decision, type);
    }
}

static gboolean
is_safe_menu_action (WebKitContextMenuAction action)
{
  switch (action)
    {
    case WEBKIT_CONTEXT_MENU_ACTION_COPY:
    case WEBKIT_CONTEXT_MENU_ACTION_COPY_LINK_TO_CLIPBOARD:
    case WEBKIT_CONTEXT_MENU_ACTION_COPY_IMAGE_TO_CLIPBOARD:
    case WEBKIT_CONTEXT_MENU_ACTION_COPY_IMAGE_URL_TO_CLIPBOARD:
    case WEBKIT_CONTEXT_MENU_ACTION_SELECT_ALL:
      return TRUE;

    case WEBKIT_CONTEXT_MENU_ACTION_NO_ACTION:
    case WEBKIT_CONTEXT_MENU_ACTION_OPEN_LINK:
    case WEBKIT_CONTEXT_MENU_ACTION_OPEN_LINK_IN_NEW_WINDOW:
    case WEBKIT_CONTEXT_MENU_ACTION_DOWNLOAD_LINK_TO_DISK:
    case WEBKIT_CONTEXT_MENU_ACTION_OPEN_IMAGE_IN_NEW_WINDOW:
    case WEBKIT_CONTEXT_MENU_ACTION_DOWNLOAD_IMAGE_TO_DISK:
    case WEBKIT_CONTEXT_MENU_ACTION_OPEN_FRAME_IN_NEW_WINDOW:
    case WEBKIT_CONTEXT_MENU_ACTION_GO_BACK:
    case WEBKIT_CONTEXT_MENU_ACTION_GO_FORWARD:
    case WEBKIT_CONTEXT_MENU_ACTION_STOP:
    case WEBKIT_CONTEXT_MENU_ACTION_RELOAD:
    case WEBKIT_CONTEXT_MENU_ACTION_CUT:
    case WEBKIT_CONTEXT_MENU_ACTION_PASTE:
    case WEBKIT_CONTEXT_MENU_ACTION_DELETE:
    case WEBKIT_CONTEXT_MENU_ACTION_INPUT_METHODS:
    case WEBKIT_CONTEXT_MENU_ACTION_UNICODE:
    case WEBKIT_CONTEXT_MENU_ACTION_SPELLING_GUESS:
    case WEBKIT_CONTEXT_MENU_ACTION_NO_GUESSES_FOUND:
    case WEBKIT_CONTEXT_MENU_ACTION_IGNORE_SPELLING:
    case WEBKIT_CONTEXT_MENU_ACTION_LEARN_SPELLING:
    case WEBKIT_CONTEXT_MENU_ACTION_IGNORE_GRAMMAR:
    case WEBKIT_CONTEXT_MENU_ACTION_FONT_MENU:
    case WEBKIT_CONTEXT_MENU_ACTION_BOLD:
    case WEBKIT_CONTEXT_MENU_ACTION_ITALIC:
    case WEBKIT_CONTEXT_MENU_ACTION_UNDERLINE:
    case WEBKIT_CONTEXT_MENU_ACTION_OUTLINE:
    case WEBKIT_CONTEXT_MENU_ACTION_INSPECT_ELEMENT:
    case WEBKIT_CONTEXT_MENU_ACTION_OPEN_VIDEO_IN_NEW_WINDOW:
    case WEBKIT_CONTEXT_MENU_ACTION_OPEN_AUDIO_IN_NEW_WINDOW:
    case WEBKIT_CONTEXT_MENU_ACTION_COPY_VIDEO_LINK_TO_CLIPBOARD:
    case WEBKIT_CONTEXT_MENU_ACTION_COPY_AUDIO_LINK_TO_CLIPBOARD:
    case WEBKIT_CONTEXT_MENU_ACTION_TOGGLE_MEDIA_CONTROLS:
    case WEBKIT_CONTEXT_MENU_ACTION_TOGGLE_MEDIA_LOOP:
    case WEBKIT_CONTEXT_MENU_ACTION_ENTER_VIDEO_FULLSCREEN:
    case WEBKIT_CONTEXT_MENU_ACTION_MEDIA_PLAY:
    case WEBKIT_CONTEXT_MENU_ACTION_MEDIA_PAUSE:
    case WEBKIT_CONTEXT_MENU_ACTION_MEDIA_MUTE:
    case WEBKIT_CONTEXT_MENU_ACTION_DOWNLOAD_VIDEO_TO_DISK:
    case WEBKIT_CONTEXT_MENU_ACTION_DOWNLOAD_AUDIO_TO_DISK:
    case WEBKIT_CONTEXT_MENU_ACTION_INSERT_EMOJI:
    case WEBKIT_CONTEXT_MENU_ACTION_PASTE_AS_PLAIN_TEXT:
    case WEBKIT_CONTEXT_MENU_ACTION_CUSTOM:
    default:
      return FALSE;
    }
}

static gboolean
ember_reader_web_view_context_menu (WebKitWebView       *web_view,
                                    WebKitContextMenu   *context_menu,
                                    WebKitHitTestResult *hit_test_result)
{
  GList *items = g_list_copy (webkit_context_menu_get_items (context_menu));

  /* Copying and selecting only: the rest would navigate, download or
   * open an inspector. */
  for (GList *l = items; l != NULL; l = l->next)
    {
      WebKitContextMenuItem *item = l->data;

      if (!is_safe_menu_action (webkit_context_menu_item_get_stock_action (item)))
        webkit_context_menu_remove (context_menu, item);
    }
  g_list_free (items);

  /* TRUE suppresses the menu when nothing is left in it. */
  return webkit_context_menu_get_n_items (context_menu) == 0;
}

static void
ember_reader_web_view_load_changed (WebKitWebView   *web_view,
                                    WebKitLoadEvent  load_event)
{
  EmberReaderWebView *self = EMBER_READER_WEB_VIEW (web_view);

  if (load_event == WEBKIT_LOAD_STARTED)
    self->load_requested = FALSE;
  update_busy (self);
}

static gboolean
ember_reader_web_view_load_failed (WebKitWebView   *web_view,
                                   WebKitLoadEvent  load_event,
                                   const char      *failing_uri,
                                   GError          *error)
{
  EmberReaderWebView *self = EMBER_READER_WEB_VIEW (web_view);

  /* A newer show_html () replaced the load, or a navigation we refused. */
  if (g_error_matches (error, WEBKIT_NETWORK_ERROR, WEBKIT_NETWORK_ERROR_CANCELLED)
      || error->domain == WEBKIT_POLICY_ERROR)
    return TRUE;

  g_warning ("The message could not be shown as HTML: %s", error->message);
  self->load_requested = FALSE;
  set_failed (self, TRUE);
  update_busy (self);

  /* TRUE: no WebKit error page inside the reader. */
  return TRUE;
}

static void
ember_reader_web_view_web_process_terminated (WebKitWebView                     *web_view,
                                              WebKitWebProcessTerminationReason  reason)
{
  EmberReaderWebView *self = EMBER_READER_WEB_VIEW (web_view);

  switch (reason)
    {
    case WEBKIT_WEB_PROCESS_TERMINATED_BY_API:
      g_debug ("The web process was stopped on request");
      break;

    case WEBKIT_WEB_PROCESS_CRASHED:
    case WEBKIT_WEB_PROCESS_EXCEEDED_MEMORY_LIMIT:
    default:
      g_warning ("The web process stopped (reason %d); showing the text version of the message",
                 reason);
      break;
    }

  g_clear_pointer (&self->pending_html, g_free);
  self->has_pending = FALSE;
  self->load_requested = FALSE;
  set_failed (self, TRUE);
  update_busy (self);
}

static gboolean
ember_reader_web_view_permission_request (WebKitWebView           *web_view,
                                          WebKitPermissionRequest *request)
{
  webkit_permission_request_deny (request);
  return TRUE;
}

static gboolean
ember_reader_web_view_run_file_chooser (WebKitWebView            *web_view,
                                        WebKitFileChooserRequest *request)
{
  webkit_file_chooser_request_cancel (request);
  return TRUE;
}

static void
is_loading_changed_cb (EmberReaderWebView *self)
{
  update_busy (self);
}

static void
ember_reader_web_view_constructed (GObject *object)
{
  EmberReaderWebView *self = EMBER_READER_WEB_VIEW (object);

  G_OBJECT_CLASS (ember_reader_web_view_parent_class)->constructed (object);

  g_signal_connect (self, "notify::is-loading", G_CALLBACK (is_loading_changed_cb), NULL);

  if (block_filter != NULL)
    {
      self->filter_state = FILTER_READY;
      return;
    }

  self->filter_state = FILTER_LOADING;
  webkit_user_content_filter_store_load (get_filter_store (), BLOCK_FILTER_ID, self->cancellable,
                                         filter_loaded_cb, g_object_ref (self));
}

static void
ember_reader_web_view_dispose (GObject *object)
{
  EmberReaderWebView *self = EMBER_READER_WEB_VIEW (object);

  g_cancellable_cancel (self->cancellable);

  G_OBJECT_CLASS (ember_reader_web_view_parent_class)->dispose (object);
}

static void
ember_reader_web_view_finalize (GObject *object)
{
  EmberReaderWebView *self = EMBER_READER_WEB_VIEW (object);

  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->pending_html, g_free);

  G_OBJECT_CLASS (ember_reader_web_view_parent_class)->finalize (object);
}

static void
ember_reader_web_view_get_property (GObject    *object,
                                    guint       prop_id,
                                    GValue     *value,
                                    GParamSpec *pspec)
{
  EmberReaderWebView *self = EMBER_READER_WEB_VIEW (object);

  switch (prop_id)
    {
    case PROP_BLOCK_LAYERS:
      g_value_set_uint (value, self->block_layers);
      break;

    case PROP_FILTER_INSTALLED:
      g_value_set_boolean (value, self->filter_installed);
      break;

    case PROP_BUSY:
      g_value_set_boolean (value, self->busy);
      break;

    case PROP_FAILED:
      g_value_set_boolean (value, self->failed);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ember_reader_web_view_set_property (GObject      *object,
                                    guint         prop_id,
                                    const GValue *value,
                                    GParamSpec   *pspec)
{
  EmberReaderWebView *self = EMBER_READER_WEB_VIEW (object);

  switch (prop_id)
    {
    case PROP_BLOCK_LAYERS:
      self->block_layers = g_value_get_uint (value) & EMBER_READER_BLOCK_ALL;
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ember_reader_web_view_class_init (EmberReaderWebViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  WebKitWebViewClass *web_view_class = WEBKIT_WEB_VIEW_CLASS (klass);

  object_class->constructed = ember_reader_web_view_constructed;
  object_class->dispose = ember_reader_web_view_dispose;
  object_class->finalize = ember_reader_web_view_finalize;
  object_class->get_property = ember_reader_web_view_get_property;
  object_class->set_property = ember_reader_web_view_set_property;

  web_view_class->decide_policy = ember_reader_web_view_decide_policy;
  web_view_class->context_menu = ember_reader_web_view_context_menu;
  web_view_class->load_changed = ember_reader_web_view_load_changed;
  web_view_class->load_failed = ember_reader_web_view_load_failed;
  web_view_class->web_process_terminated = ember_reader_web_view_web_process_terminated;
  web_view_class->permission_request = ember_reader_web_view_permission_request;
  web_view_class->run_file_chooser = ember_reader_web_view_run_file_chooser;

  /* Test hooks (ember-reader-web-view-private.h). */
  properties[PROP_BLOCK_LAYERS] =
    g_param_spec_uint ("block-layers", NULL, NULL,
                       0, EMBER_READER_BLOCK_ALL, EMBER_READER_BLOCK_ALL,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  properties[PROP_FILTER_INSTALLED] =
    g_param_spec_boolean ("filter-installed", NULL, NULL,
                          FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
  g_object_class_override_property (object_class, PROP_BUSY, "busy");
  g_object_class_override_property (object_class, PROP_FAILED, "failed");
}

static void
ember_reader_web_view_html_view_init (EmberHtmlViewInterface *iface)
{
  iface->show_html = ember_reader_web_view_show_html;
}

static void
ember_reader_web_view_init (EmberReaderWebView *self)
{
  self->cancellable = g_cancellable_new ();
  self->block_layers = EMBER_READER_BLOCK_ALL;
}
