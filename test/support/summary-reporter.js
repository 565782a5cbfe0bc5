// Prints the run's totals as one plain line ("N passed, N failed") for tools that read the last line.
export default class SummaryReporter {
  onRunComplete(_contexts, results) {
    const skipped = results.numPendingTests + results.numTodoTests;
    const suffix = skipped > 0 ? `, ${skipped} skipped` : '';
    process.stdout.write(`${results.numPassedTests} passed, ${results.numFailedTests} failed${suffix}\n`);
  }
}
