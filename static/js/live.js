// Redraws a draft editor's result as the admin types: the fee estimate, the workflow diagram,
// the notices' previews (templates/admin/editor/, portal/admin/editor_views.py `live_*`).
//
// The server computes, the browser only asks. A container marked data-module="app-live"
// names the editor's form (data-app-live-form, an id) and a URL (data-app-live-url). A short
// while after a change in that form, or in a form inside the container (the estimator's
// sample answers), both forms are posted there as typed, with the page's CSRF token; nothing
// is saved. The answer replaces what it shows:
//   - an SVG: the container's <img data-app-live-image> shows it (as a data: URL, which the
//     page's Content-Security-Policy allows for images);
//   - HTML: each element of it marked data-app-live-part="key" replaces the page's element
//     with the same key (focus and caret kept in a replaced input);
//   - 422: what is typed cannot be used; the last result stays and the server's messages go
//     in the container's aria-live status (data-app-live-status).
// An answer to an older sending is dropped. Without JavaScript each page still shows its
// result after "Guardar" (the estimator after "Calcular").

const DELAY_MS = 500

function partsOf (root) {
  const parts = new Map()
  root.querySelectorAll('[data-app-live-part]').forEach((part) => {
    parts.set(part.dataset.appLivePart, part)
  })
  return parts
}

// Replace the page's parts by the answer's, keeping the focus in an input with the same id.
function replaceParts (container, html) {
  const template = document.createElement('template')
  template.innerHTML = html
  const fresh = partsOf(template.content)
  const active = document.activeElement
  const kept = active && active.id && container.contains(active)
    ? { id: active.id, start: active.selectionStart, end: active.selectionEnd }
    : null
  partsOf(container).forEach((part, key) => {
    if (fresh.has(key)) part.replaceWith(fresh.get(key))
  })
  if (kept && !container.contains(active)) {
    const again = document.getElementById(kept.id)
    if (again) {
      again.focus()
      try {
        if (kept.start !== null) again.setSelectionRange(kept.start, kept.end)
      } catch (error) {
        // Not a text input (a select): the focus is enough.
      }
    }
  }
}

function showImage (container, svg) {
  const image = container.querySelector('img[data-app-live-image]')
  if (!image) return
  image.src = 'data:image/svg+xml;charset=utf-8,' + encodeURIComponent(svg)
  if (image.dataset.appLiveAlt) image.alt = image.dataset.appLiveAlt
  image.hidden = false
  const placeholder = container.querySelector('[data-app-live-placeholder]')
  if (placeholder) placeholder.hidden = true
}

function live (container, texts) {
  const editor = document.getElementById(container.dataset.appLiveForm)
  const status = container.querySelector('[data-app-live-status]')
  const token = editor && editor.querySelector('input[name="csrf_token"]')
  let changes = 0
  let timer = null
  let shown = null // the payload whose answer the page shows
  // The estimator computes once sample answers were given (its "Calcular" does the same).
  let asked = new URLSearchParams(window.location.search).has('calcular')

  const say = (html) => {
    if (status && status.innerHTML !== html) status.innerHTML = html
  }

  const body = () => {
    const data = new FormData(editor)
    container.querySelectorAll('form').forEach((form) => {
      if (form === editor) return
      for (const [name, value] of new FormData(form)) data.append(name, value)
    })
    if (asked) data.append('calcular', '1')
    return new URLSearchParams(data)
  }

  const send = async () => {
    const sent = changes
    const payload = body().toString()
    if (payload === shown) return // a blur after typing: nothing new to ask
    let response
    let text
    try {
      response = await window.fetch(container.dataset.appLiveUrl, {
        method: 'POST',
        credentials: 'same-origin',
        redirect: 'manual',
        headers: {
          'Content-Type': 'application/x-www-form-urlencoded',
          'X-CSRFToken': token ? token.value : ''
        },
        body: payload
      })
      text = await response.text()
    } catch (error) {
      response = null
    }
    if (sent !== changes) return // the form changed meanwhile: a newer sending answers
    shown = response && (response.ok || response.status === 422) ? payload : null
    if (response && response.ok) {
      const type = response.headers.get('Content-Type') || ''
      if (type.startsWith('image/svg+xml')) {
        showImage(container, text)
        say(texts.drawn || '')
      } else {
        replaceParts(container, text)
        say('')
      }
    } else if (response && response.status === 422) {
      say(text)
    } else {
      say(texts.error || '')
    }
  }

  const changed = (event) => {
    if (event.target.form && event.target.form !== editor) asked = true
    changes += 1
    window.clearTimeout(timer)
    timer = window.setTimeout(send, DELAY_MS)
  }

  editor.addEventListener('input', changed)
  editor.addEventListener('change', changed)
  if (!editor.contains(container)) {
    container.addEventListener('input', changed)
    container.addEventListener('change', changed)
  }
}

export function initLive (texts = {}) {
  document.querySelectorAll('[data-module="app-live"][data-app-live-url]').forEach((container) => {
    if (document.getElementById(container.dataset.appLiveForm)) live(container, texts)
  })
}
