# Reference: the predecessor's cleaner (spec §2) re-written with pandas, used as an oracle to produce
# tests/fixtures/*.pandas-clean.csv (Debian python3-pandas 1.5.3). Usage: python3 pandas_reference_cleaner.py IN.csv OUT.csv
import sys, numpy as np, pandas as pd
NUM=['Age','Height','Weight','FCVC','NCP','CH2O','FAF','TUE']
RANGES={'Age':(14,100),'Height':(1.0,2.5),'Weight':(20,200),'FCVC':(1,3),'NCP':(1,4),'CH2O':(1,3),'FAF':(0,3),'TUE':(0,2)}
TOK=['N/A','n/a','NA','na','nan','NaN','NAN','null','NULL','None','NONE','?','unknown','bad','missing','MISSING','',' ','  ']
classes=['Insufficient_Weight','Normal_Weight','Overweight_Level_I','Overweight_Level_II','Obesity_Type_I','Obesity_Type_II','Obesity_Type_III']
MAP={}
for c in classes:
    for v in (c, c.upper(), c.swapcase()): MAP[v]=c.lower()
df=pd.read_csv(sys.argv[1])
df=df.drop(columns=['mixed_type_col'],errors='ignore')
for c in df.select_dtypes(include='object').columns:
    df[c]=df[c].astype(str).str.strip().str.replace(r'\s+',' ',regex=True).str.replace(r'[^\w\s\-_.]','',regex=True)
df=df.replace(TOK,np.nan)
for c in NUM:
    df[c]=pd.to_numeric(df[c].astype(str).str.replace(r'[^\d.-]','',regex=True),errors='coerce')
for c in NUM:
    lo,hi=RANGES[c]; med=df[c].median()
    df.loc[(df[c]<lo)|(df[c]>hi),c]=med
df['Gender']=df['Gender'].str.title()
for c in ['family_history_with_overweight','FAVC','SMOKE','SCC']: df[c]=df[c].str.lower()
df['CAEC']=df['CAEC'].str.title().replace('No','no')
df['MTRANS']=df['MTRANS'].str.title()
df['CALC']=df['CALC'].str.title().replace('No','no')
df['NObeyesdad']=df['NObeyesdad'].replace(MAP)
for c in NUM: df[c]=df[c].fillna(df[c].median())
for c in df.columns:
    if c not in NUM:
        m=df[c].mode(); df[c]=df[c].fillna(m[0] if len(m) else 'Unknown')
df.to_csv(sys.argv[2],index=False)
