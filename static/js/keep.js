// Keeps what a person typed in a form when their session expired before the server took it.
//
// If the session ends while someone is typing (cookies cleared, idle time-out), the server
// cannot take the form: it answers with a page that asks them to sign in again
// (templates/errors/session_expired.html, marked data-app-keep-expired). Back at the same
// form, the text they had typed is put back and a notice says so.
//
// How: every form keeps a copy of its text fields in sessionStorage (this tab only) as they
// are typed and when sent. The page that answers a sending decides: the "session expired"
// page marks the copies as pending; any other page drops every copy that is not pending (the
// server took the form, or the person went elsewhere). A form restores only a pending copy,
// once. Never passwords, hidden fields or files; a form can opt out with data-app-keep="off".

const PREFIX = 'app-keep:'
const KEPT = 'input:not([type]), input[type="text"], input[type="email"], input[type="tel"], ' +
  'input[type="number"], input[type="url"], input[type="search"], textarea'

function keyOf (form) {
  return PREFIX + new URL(form.action || window.location.href, window.location.href).pathname
}

function fieldsOf (form) {
  return Array.from(form.querySelectorAll(KEPT)).filter((field) => field.name)
}

function read (key) {
  try {
    return JSON.parse(window.sessionStorage.getItem(key) || 'null')
  } catch (error) {
    return null
  }
}

function save (key, copy) {
  try {
    window.sessionStorage.setItem(key, JSON.stringify(copy))
  } catch (error) {
    // Storage full or disabled: the form still works, only without this safety net.
  }
}

function keptKeys () {
  const keys = []
  for (let index = 0; index < window.sessionStorage.length; index++) {
    const key = window.sessionStorage.key(index)
    if (key && key.startsWith(PREFIX)) {
      keys.push(key)
    }
  }
  return keys
}

function settle (expired) {
  for (const key of keptKeys()) {
    const copy = read(key)
    if (expired && copy) {
      save(key, { ...copy, pending: true })
    } else if (!copy || !copy.pending) {
      window.sessionStorage.removeItem(key)
    }
  }
}

function write (form) {
  const values = {}
  for (const field of fieldsOf(form)) {
    values[field.name] = field.value
  }
  save(keyOf(form), { values, pending: false })
}

function announce (form, message) {
  const notice = document.createElement('div')
  notice.className = 'govuk-inset-text app-keep-notice'
  notice.setAttribute('role', 'status')
  notice.textContent = message
  form.prepend(notice)
}

function restore (form, message) {
  const key = keyOf(form)
  const copy = read(key)
  if (!copy || !copy.pending) {
    return
  }
  let restored = 0
  for (const field of fieldsOf(form)) {
    const value = copy.values[field.name]
    // Only fields still showing what the server sent, never over what was typed here.
    if (typeof value === 'string' && value !== field.value && field.value === field.defaultValue) {
      field.value = value
      field.dispatchEvent(new Event('input', { bubbles: true }))
      restored += 1
    }
  }
  save(key, { ...copy, pending: false })
  if (restored > 0 && message) {
    announce(form, message)
  }
}

export function initKeptForms (config = {}) {
  const forms = Array.from(
    document.querySelectorAll('form[method="post" i]:not([data-app-keep="off"])')
  ).filter((form) => fieldsOf(form).length > 0)
  for (const form of forms) {
    restore(form, config.restored)
  }
  settle(document.querySelector('[data-app-keep-expired]') !== null)
  for (const form of forms) {
    form.addEventListener('input', () => write(form))
    form.addEventListener('submit', () => write(form))
  }
}
