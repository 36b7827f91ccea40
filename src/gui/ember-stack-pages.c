/* ember-stack-pages.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ember-gui"

#include "config.h"

#include "ember-stack-pages.h"

static void
hide_other_pages (GtkStack  *stack,
                  GtkWidget *shown)
{
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (stack));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      if (child != shown)
        gtk_widget_set_visible (child, FALSE);
    }
}

void
ember_stack_pages_init (GtkStack *stack)
{
  g_return_if_fail (GTK_IS_STACK (stack));

  hide_other_pages (stack, gtk_stack_get_visible_child (stack));
}

void
ember_stack_pages_show (GtkStack   *stack,
                        const char *name)
{
  GtkWidget *page;

  g_return_if_fail (GTK_IS_STACK (stack));

  page = gtk_stack_get_child_by_name (stack, name);
  g_return_if_fail (page != NULL);

  if (page == gtk_stack_get_visible_child (stack))
    return;

  /* A stack only shows a visible page: show it, then hide the old one. */
  gtk_widget_set_visible (page, TRUE);
  gtk_stack_set_visible_child (stack, page);
  hide_other_pages (stack, page);
}
