//! Offline builder of SafeSciBench and SafeSciTrain from registry data and curated public safety facts.
