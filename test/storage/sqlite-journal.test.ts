import t from "tap";
import { openJournal } from "../../storage/sqlite-journal.js";
import { journalContract } from "./journal-contract.js";

journalContract(t, (path, { now }) => openJournal(path, { now }));
