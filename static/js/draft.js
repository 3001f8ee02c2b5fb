// Saves a draft's answers as they are typed, so that nothing typed is lost.
//
// A step page's form carries data-app-draft-url (portal/drafts/views.py `answers`). A short
// while after the person stops typing, the step's answers are sent there as JSON with the
// form's CSRF token; the server keeps them as typed (never validated) and fills the form with
// them next time, so a reload, a server restart or a session time-out loses nothing.
//
// Until the server has them, the answers wait in localStorage (this browser, this draft): when
// the connection drops they are sent when it comes back (the `online` event, or the next
// visit), and when the session expired they are put back into the form and sent after the
// person signs in again and returns to the page. An aria-live region says which: "Guardado",
// "Sin conexión: se guardará al reconectar", or that the session ended.
// Without JavaScript the form still saves with "Continuar".

const PREFIX = 'app-draft:'
const DELAY_MS = 800
const ANSWER = /^f_/

function read (key) {
  try {
    return JSON.parse(window.localStorage.getItem(key) || 'null')
  } catch (error) {
    return null
  }
}

function write (key, answers) {
  try {
    if (Object.keys(answers).length === 0) {
      window.localStorage.removeItem(key)
    } else {
      window.localStorage.setItem(key, JSON.stringify({ answers }))
    }
  } catch (error) {
    // Storage full or disabled: the answers are still sent; only the offline net is missing.
  }
}

function inputsOf (form) {
  return Array.from(form.elements).filter(
    (input) => input.name && ANSWER.test(input.name) && input.type !== 'file'
  )
}

// The form's answers by input name: text as typed, the checked radio, the checked boxes.
function collect (form) {
  const answers = {}
  for (const input of inputsOf(form)) {
    if (input.type === 'checkbox') {
      answers[input.name] = answers[input.name] || []
      if (input.checked) answers[input.name].push(input.value)
    } else if (input.type === 'radio') {
      if (!(input.name in answers)) answers[input.name] = ''
      if (input.checked) answers[input.name] = input.value
    } else {
      answers[input.name] = input.value
    }
  }
  return answers
}

// What the server put in the input (a select's is its option marked selected, or the first).
function initialValue (input) {
  if (input.tagName !== 'SELECT') return input.defaultValue
  const chosen = Array.from(input.options).find((option) => option.defaultSelected)
  return chosen ? chosen.value : (input.options[0] ? input.options[0].value : '')
}

// Put answers kept in this browser back into the inputs that still show what the server sent.
function restore (form, answers) {
  let restored = 0
  for (const input of inputsOf(form)) {
    if (!(input.name in answers)) continue
    const value = answers[input.name]
    if (input.type === 'checkbox' || input.type === 'radio') {
      const wanted = Array.isArray(value) ? value.includes(input.value) : value === input.value
      if (input.checked === input.defaultChecked && input.checked !== wanted) {
        input.checked = wanted
        restored += 1
      }
    } else if (typeof value === 'string' && input.value === initialValue(input) && input.value !== value) {
      input.value = value
      restored += 1
    }
  }
  if (restored > 0) {
    form.dispatchEvent(new Event('input', { bubbles: true }))
  }
  return restored
}

function draftForm (form, texts) {
  const url = form.dataset.appDraftUrl
  const key = PREFIX + url
  const status = form.querySelector('[data-app-draft-status]')
  const token = form.querySelector('input[name="csrf_token"]')
  let pending = (read(key) || {}).answers || {}
  let timer = null
  let sending = false

  const say = (text) => {
    if (status && text && status.textContent !== text) status.textContent = text
  }

  const send = async () => {
    window.clearTimeout(timer)
    if (sending || Object.keys(pending).length === 0) return
    sending = true
    const sent = pending
    let outcome = 'offline'
    try {
      const response = await window.fetch(url, {
        method: 'POST',
        credentials: 'same-origin',
        redirect: 'manual',
        headers: {
          'Content-Type': 'application/json',
          Accept: 'application/json',
          'X-CSRFToken': token ? token.value : ''
        },
        body: JSON.stringify({ answers: sent })
      })
      if (response.ok) {
        outcome = 'saved'
      } else if (response.type === 'opaqueredirect' || [400, 401, 403].includes(response.status)) {
        outcome = 'session' // signed out, or the session (and its CSRF token) expired
      } else {
        outcome = 'error'
      }
    } catch (error) {
      outcome = 'offline'
    }
    sending = false
    if (outcome === 'saved') {
      // Keep only what changed while the request was on its way.
      const left = {}
      for (const [name, value] of Object.entries(pending)) {
        if (JSON.stringify(sent[name]) !== JSON.stringify(value)) left[name] = value
      }
      pending = left
      write(key, pending)
      say(texts.saved)
      if (Object.keys(pending).length > 0) schedule()
    } else {
      say(texts[outcome])
    }
  }

  const schedule = () => {
    window.clearTimeout(timer)
    timer = window.setTimeout(send, DELAY_MS)
  }

  const changed = () => {
    pending = { ...pending, ...collect(form) }
    write(key, pending)
    schedule()
  }

  form.addEventListener('input', changed)
  form.addEventListener('change', changed)
  form.addEventListener('submit', () => {
    // The form itself now carries every answer; a refused sending is kept by keep.js.
    window.clearTimeout(timer)
    pending = {}
    write(key, pending)
  })
  window.addEventListener('online', send)

  if (Object.keys(pending).length > 0) {
    if (restore(form, pending) > 0) say(texts.restored)
    send()
  }
}

export function initDraftForms (texts = {}) {
  document.querySelectorAll('form[data-app-draft-url]').forEach((form) => draftForm(form, texts))
}
