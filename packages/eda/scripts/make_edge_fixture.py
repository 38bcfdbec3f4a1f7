# Writes tests/fixtures/dirty-edge-cases.csv (run inside that folder): hostile cells for every rule.
import csv, random
random.seed(7)
H=['Gender','Age','Height','Weight','family_history_with_overweight','FAVC','FCVC','NCP','CAEC','SMOKE','CH2O','SCC','FAF','TUE','CALC','MTRANS','NObeyesdad','mixed_type_col']
V={
 'Gender':['Female','Male',' mALE ','ǆemal','ﬁne','x\u0085y',"O'NEIL",'1st','','#N/A','-1.#IND','<NA>','ßa','e\u0301cole','Male','Female'],
 'Age':[' 22.0 ','1e3','2.2.2','٣٤','+25','0.30000000000000004','-0','abc','25kg','17,5','21','23.5','','N/A',' NAN ','706','19.0','33','1975.6','.5e1'],
 'Height':['1.62','1.7','0.00001','1.80000000000000004441',' 1.75 ','','1.5e0','57','1.65','1.71','-inf','1.59'],
 'Weight':['64','80.5','6408','','?','77.7','1040','55','92.123456789012345678','60'],
 'family_history_with_overweight':['yes','no',' YES ',' NO ','','NAN','Ÿes','İyes'],
 'FAVC':['yes','no',' yes ','no','unknown'],
 'FCVC':['2','3','1','2','3','21138','2','1'],
 'NCP':['3','1','4','3','2','1000','3','1'],
 'CAEC':['Sometimes',' sOMETIMES ','no',' NO ','Always','Frequently','','null'],
 'SMOKE':['no','yes',' NO ','None','NONE'],
 'CH2O':['2.0','1.5','3.0','inf','2.25','','1e-05'],
 'SCC':['no','yes',' YES ','bad'],
 'FAF':['0.0','1.0','2.0','1E2','0.5','-','..','1-2'],
 'TUE':['0','1','2','?','0.000355','0.5','1.0'],
 'CALC':[' NO ','no','Sometimes','Σίσυφος','ΣΑΣ','a ? b','Frequently',' fREQUENTLY ','Always','n/a'],
 'MTRANS':['Public_Transportation',' pUBLIC_tRANSPORTATION ','motor_bike','a?b','Walking','Automobile','bIKE','x\ufeffy','tab\x1cx'],
 'NObeyesdad':['Normal_Weight',' nORMAL_wEIGHT ','OBESITY_TYPE_I','Obesity_Type_III',' oBESITY_tYPE_i ','normal weight',' NAN ','Insufficient_Weight','','Overweight_Level_II','obesity_type_ii'],
 'mixed_type_col':['bad','1','','unknown'],
}
rows=[]
for i in range(240):
    rows.append([random.choice(V[h]) for h in H])
rows += [rows[3][:], rows[10][:]]  # exact duplicates
with open('dirty-edge-cases.csv','w',newline='',encoding='utf-8') as f:
    w=csv.writer(f,lineterminator='\r\n'); w.writerow(H); w.writerows(rows)
