// Starts GOV.UK Frontend's components on every page (loaded by templates/base.html).
//
// A module, so browsers too old for GOV.UK Frontend 5 never run it; initAll() also
// checks the `govuk-frontend-supported` class that base.html puts on <body>.
// The Spanish (or English) texts the components write from JavaScript come from
// Flask-Babel, through the JSON block `#app-govuk-frontend-config` in base.html.
import { initAll } from '../vendor/govuk-frontend-5.14.0/govuk-frontend.min.js'
import { initConditionalForms } from './conditions.js'
import { initKeptForms } from './keep.js'
import { initDraftForms } from './draft.js'
import { initUploads } from './upload.js'
import { initLive } from './live.js'

function readConfig () {
  const element = document.getElementById('app-govuk-frontend-config')
  if (!element) {
    return {}
  }
  try {
    return JSON.parse(element.textContent)
  } catch (error) {
    console.error('app.js: invalid #app-govuk-frontend-config', error)
    return {}
  }
}

const config = readConfig()

initAll(config)

initConditionalForms()

initKeptForms(config.appKeep)

initDraftForms(config.appDraft)

initUploads(config.appUpload)

initLive(config.appLive)
