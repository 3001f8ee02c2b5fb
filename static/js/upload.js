// Sends each chosen document as soon as it is chosen, with a progress bar.
//
// On a step that asks for documents (a form with data-app-upload-url, portal/drafts/views.py
// `upload`), choosing a file sends it alone (XMLHttpRequest, whose upload reports progress)
// and shows a <progress> element while it travels. Once the server kept it, the page says
// "recibido (name)" and the input is emptied, so "Continuar" does not send it twice; a file
// the server refused shows the server's message at the field. If the request fails, the file
// stays chosen and goes with the form, as without JavaScript.

function fieldOf (container) {
  return container.querySelector('input[type="file"]')
}

function showError (container, message) {
  const group = container.querySelector('.govuk-form-group')
  const input = fieldOf(container)
  let error = container.querySelector('.app-upload-error')
  if (!message) {
    if (error) error.remove()
    if (group) group.classList.remove('govuk-form-group--error')
    input.classList.remove('govuk-file-upload--error')
    return
  }
  if (!error) {
    error = document.createElement('p')
    error.className = 'govuk-error-message app-upload-error'
    error.id = `${input.id}-upload-error`
    input.before(error)
    input.setAttribute('aria-describedby', `${input.getAttribute('aria-describedby') || ''} ${error.id}`.trim())
  }
  error.textContent = message
  if (group) group.classList.add('govuk-form-group--error')
  input.classList.add('govuk-file-upload--error')
}

function upload (form, container, texts) {
  const input = fieldOf(container)
  const file = input.files && input.files[0]
  if (!file) return
  const data = new FormData()
  data.append('csrf_token', form.querySelector('input[name="csrf_token"]').value)
  data.append(input.name, file, file.name)
  const progress = document.createElement('progress')
  progress.max = 100
  progress.value = 0
  progress.className = 'app-upload-progress'
  progress.id = `${input.id}-progress`
  progress.setAttribute('aria-label', (texts.uploading || '%(name)s').replace('%(name)s', file.name))
  input.after(progress)
  showError(container, '')
  const request = new XMLHttpRequest()
  request.open('POST', form.dataset.appUploadUrl)
  request.setRequestHeader('Accept', 'application/json')
  request.upload.addEventListener('progress', (event) => {
    if (event.lengthComputable) progress.value = Math.round((100 * event.loaded) / event.total)
  })
  request.addEventListener('load', () => {
    progress.remove()
    let body = {}
    try {
      body = JSON.parse(request.responseText)
    } catch (error) {
      return // not our JSON (a sign-in page...): the file stays chosen and goes with the form
    }
    if (body.saved && body.files && body.files[input.name]) {
      const received = container.querySelector('.app-document__received')
      received.querySelector('[data-app-upload-name]').textContent = body.files[input.name]
      received.hidden = false
      input.value = ''
      input.dispatchEvent(new Event('change', { bubbles: true }))
    } else if (body.errors && body.errors[input.name]) {
      input.value = ''
      showError(container, body.errors[input.name])
    }
  })
  request.addEventListener('error', () => progress.remove())
  request.send(data)
}

export function initUploads (texts = {}) {
  document.querySelectorAll('form[data-app-upload-url]').forEach((form) => {
    form.querySelectorAll('[data-app-upload]').forEach((container) => {
      const input = fieldOf(container)
      if (input) input.addEventListener('change', () => upload(form, container, texts))
    })
  })
}
