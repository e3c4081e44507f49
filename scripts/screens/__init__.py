"""`make screenshots` in parts (scripts/screenshots.py drives them): where pictures go and how the
browser looks (config), the pages and how each is reached (pages), the browser that takes them
(browser), the gallery written from the page list (gallery), and the portal they are taken from
(portal)."""
