// Prints what static/js/conditions.js answers for each case of a JSON file (argv[2]):
// [{condition, types, answers}] -> [true, false, ...]. Used by tests/test_javascript.py to
// compare both evaluators over random conditions and answers.
import { readFileSync } from 'node:fs'
import { evaluate } from '../../static/js/conditions.js'

const cases = JSON.parse(readFileSync(process.argv[2], 'utf8'))
const answers = cases.map(({ condition, types, answers }) =>
  evaluate(condition, (field) => (Object.hasOwn(answers, field) ? answers[field] : null), types)
)
process.stdout.write(JSON.stringify(answers))
