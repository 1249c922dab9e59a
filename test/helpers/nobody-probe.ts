// Loaded by canNobodyRunSources() as uid nobody: succeeds only when that uid can read the checkout.
import "./nobody-probe-target.js";
