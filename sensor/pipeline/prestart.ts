// The pipeline's one entry for callers outside it that start the threaded replay's tracking
// thread early (while the command's own modules load) or drop it when it will not be used; the
// thread transport itself stays private to this folder.

export { dropPrestartedThread, prestartTrackerThread } from './tracker-thread.js';
