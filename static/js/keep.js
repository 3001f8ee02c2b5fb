// Keeps what a person types in a form, in this browser tab, until the server has it.
//
// If the session ends while someone is typing (cookies cleared, idle time-out), the server
// cannot take the form: it answers with a page that asks them to sign in again. Back at the
// same form, the text they had typed is put back and a notice says so. What the tab keeps is
// sessionStorage (gone when the tab closes); never passwords, hidden fields or files. A form
// can opt out with data-app-keep="off". Once the page shows exactly what was kept (saved),
// the copy is dropped.

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

function write (form) {
  const values = {}
  for (const field of fieldsOf(form)) {
    values[field.name] = field.value
  }
  try {
    window.sessionStorage.setItem(keyOf(form), JSON.stringify(values))
  } catch (error) {
    // Storage full or disabled: the form still works, only without this safety net.
  }
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
  const kept = read(key)
  if (!kept) {
    return
  }
  let restored = 0
  let differs = 0
  for (const field of fieldsOf(form)) {
    if (!(field.name in kept) || kept[field.name] === field.value) {
      continue
    }
    differs += 1
    // Only fields still showing what the server sent; never over what was typed here.
    if (field.value === field.defaultValue) {
      field.value = kept[field.name]
      field.dispatchEvent(new Event('input', { bubbles: true }))
      restored += 1
    }
  }
  if (differs === 0) {
    window.sessionStorage.removeItem(key)
  } else if (restored > 0 && message) {
    announce(form, message)
  }
}

export function initKeptForms (config = {}) {
  const forms = document.querySelectorAll('form[method="post" i]:not([data-app-keep="off"])')
  for (const form of forms) {
    if (fieldsOf(form).length === 0) {
      continue
    }
    restore(form, config.restored)
    form.addEventListener('input', () => write(form))
    form.addEventListener('submit', () => write(form))
  }
}
